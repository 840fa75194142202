"""Matching's Celery tasks: applying registry events to matching's own copies, and relaying
matching's outbox to the services that subscribe to it."""

from collections.abc import Callable
from typing import Any

from celery import current_app, shared_task
from sqlalchemy.orm import Session

from services.matching.index import service as index
from services.matching.models import outbox, processed_events
from services.matching.networks import contacts
from services.matching.pools.service import apply_pool_event
from services.matching.reference.service import apply_reference_changed
from services.matching.runtime import Matching, worker_runtime
from shared.events import Event, relay_batches, to_tasks
from shared.events.consumer import apply_message, apply_messages

SUBSCRIBERS = ("registry.events.apply_batch", "reminders.events.apply_batch")

Handler = Callable[[Session, Matching, Event], None]


def _each(*handlers: Handler) -> Handler:
    """One event applied by several domains, in order, in the same transaction."""

    def apply_all(session: Session, matching: Matching, event: Event) -> None:
        for handler in handlers:
            handler(session, matching, event)

    return apply_all


HANDLERS: dict[str, Handler] = {
    "partner.upserted": index.apply_partner_upserted,
    "partner.forgotten": _each(index.apply_partner_forgotten, contacts.apply_partner_forgotten),
    "activity.logged": _each(index.apply_activity_logged, contacts.apply_activity_logged),
    "partners.replayed": index.apply_rebuild_completed,
    "reference.changed": apply_reference_changed,
    "pool.membership_changed": lambda session, _, event: apply_pool_event(session, event),
}


def apply(matching: Matching, message: dict[str, Any]) -> bool:
    """Applies one event once; what the task runs, and what tests call directly."""
    return apply_message(matching.database, processed_events, HANDLERS, matching, message)


def apply_batch(matching: Matching, messages: list[dict[str, Any]]) -> int:
    """Applies a batch of events, each once; what the batch task runs."""
    return apply_messages(matching.database, processed_events, HANDLERS, matching, messages)


@shared_task(name="matching.events.apply")
def apply_event(message: dict[str, Any]) -> bool:
    return apply(worker_runtime(), message)


@shared_task(name="matching.events.apply_batch")
def apply_event_batch(messages: list[dict[str, Any]]) -> int:
    return apply_batch(worker_runtime(), messages)


@shared_task(name="matching.events.relay")
def relay() -> int:
    send = to_tasks(current_app.send_task, SUBSCRIBERS)
    return relay_batches(worker_runtime().database, outbox, "matching", send)
