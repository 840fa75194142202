"""Reminders' Celery tasks: applying other services' events, beat's due scan and sweeper,
sending one delivery (ids only in messages), relaying reminders' outbox, and the
heartbeat."""

import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app, shared_task
from celery.app.task import Task
from sqlalchemy.orm import Session

from services.reminders.deliveries import sending
from services.reminders.deliveries.mailer import TransientMailError
from services.reminders.deliveries.service import run_due_scan, run_sweep
from services.reminders.models import outbox, processed_events
from services.reminders.newsletters import audience as newsletter_audience
from services.reminders.newsletters import service as newsletters
from services.reminders.operations.service import record_heartbeat
from services.reminders.organisations.service import apply_organisation_event
from services.reminders.people import service as people
from services.reminders.runtime import Reminders, worker_runtime
from shared.events import Event, relay_batches, to_tasks
from shared.events.consumer import apply_message, apply_messages

HANDLERS: dict[str, Callable[[Session, Reminders, Event], None]] = {
    "organisation.created": lambda session, _, event: apply_organisation_event(session, event),
    "organisation.updated": lambda session, _, event: apply_organisation_event(session, event),
    "membership.changed": people.apply_membership_changed,
    "partner.upserted": people.apply_partner_upserted,
    "partner.forgotten": people.apply_partner_forgotten,
    "activity.logged": people.apply_activity_logged,
    "referral.changed": people.apply_referral_changed,
    "pool.membership_changed": newsletter_audience.apply_pool_membership_changed,
}
SEND = "reminders.deliveries.send"
SUBSCRIBERS = ("registry.events.apply_batch",)


def apply(reminders: Reminders, message: dict[str, Any]) -> bool:
    """Applies one event once; what the task runs, and what tests call directly."""
    return apply_message(reminders.database, processed_events, HANDLERS, reminders, message)


def apply_batch(reminders: Reminders, messages: list[dict[str, Any]]) -> int:
    """Applies a batch of events, each once; what the batch task runs."""
    return apply_messages(reminders.database, processed_events, HANDLERS, reminders, messages)


@shared_task(name="reminders.events.apply")
def apply_event(message: dict[str, Any]) -> bool:
    return apply(worker_runtime(), message)


@shared_task(name="reminders.events.apply_batch")
def apply_event_batch(messages: list[dict[str, Any]]) -> int:
    return apply_batch(worker_runtime(), messages)


@shared_task(name="reminders.operations.heartbeat")
def heartbeat() -> None:
    with worker_runtime().database.session() as session:
        record_heartbeat(session, socket.gethostname())


def enqueue(ids: list[str]) -> None:
    for delivery_id in ids:
        current_app.send_task(SEND, args=[delivery_id])


@shared_task(name="reminders.schedules.scan")
def scan() -> int:
    """Beat's tick: due schedules become deliveries, ready deliveries are queued."""
    reminders = worker_runtime()
    newsletters.run_due(reminders, enqueue)  # scheduled issues whose time has come
    return run_due_scan(reminders.database, reminders.settings.due_scan_batch, enqueue)


@shared_task(name="reminders.deliveries.sweep")
def sweep() -> int:
    reminders = worker_runtime()
    older = timedelta(seconds=reminders.settings.sweep_after_seconds)
    return run_sweep(reminders.database, older, reminders.settings.due_scan_batch, enqueue)


@shared_task(
    name=SEND,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
)
def send(self: Task, delivery_id: str) -> str:
    """Retries with doubling back-off while the mail server is unavailable; after the last
    try the delivery is `failed`."""
    reminders = worker_runtime()
    settings = reminders.settings
    try:
        return sending.send(reminders, delivery_id).status
    except TransientMailError as exc:
        if self.request.retries >= settings.delivery_retries:
            sending.give_up(reminders, delivery_id, str(exc))
            return "failed"
        countdown = settings.delivery_backoff_seconds * 2**self.request.retries
        raise self.retry(countdown=countdown, max_retries=settings.delivery_retries) from exc


@shared_task(name="reminders.events.relay")
def relay() -> int:
    send = to_tasks(current_app.send_task, SUBSCRIBERS)
    return relay_batches(worker_runtime().database, outbox, "reminders", send)
