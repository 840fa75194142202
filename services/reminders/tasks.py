"""Reminders' Celery tasks: the heartbeat beat ticks, and applying registry events."""

import socket
from typing import Any

from celery import shared_task

from services.reminders.models import processed_events
from services.reminders.operations.service import record_heartbeat
from services.reminders.organisations.service import apply_organisation_event
from services.reminders.runtime import worker_runtime
from shared.events import Event, apply_once
from shared.events.consumer import dispatch

HANDLERS = {
    "organisation.created": apply_organisation_event,
    "organisation.updated": apply_organisation_event,
}


@shared_task(name="reminders.operations.heartbeat")
def heartbeat() -> None:
    with worker_runtime().database.session() as session:
        record_heartbeat(session, socket.gethostname())


@shared_task(name="reminders.events.apply")
def apply_event(message: dict[str, Any]) -> bool:
    event = Event.from_message(message)
    with worker_runtime().database.session() as session:
        return apply_once(session, processed_events, event, dispatch(HANDLERS))
