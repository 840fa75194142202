"""Matching's Celery tasks: applying registry events to matching's own copies."""

from typing import Any

from celery import shared_task

from services.matching.models import processed_events
from services.matching.pools.service import apply_pool_event
from services.matching.runtime import worker_runtime
from shared.events import Event, apply_once
from shared.events.consumer import dispatch

HANDLERS = {"pool.membership_changed": apply_pool_event}


@shared_task(name="matching.events.apply")
def apply_event(message: dict[str, Any]) -> bool:
    event = Event.from_message(message)
    with worker_runtime().database.session() as session:
        return apply_once(session, processed_events, event, dispatch(HANDLERS))
