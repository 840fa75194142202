"""Registry's Celery tasks: relaying its outbox to the subscribing services' queues,
applying other services' events, the periodic purge and the monthly planning snapshot."""

from collections.abc import Callable
from functools import cache
from typing import Any

from celery import current_app, shared_task
from sqlalchemy.orm import Session

from services.registry.events import (
    apply_newsletter_unsubscribed,
    apply_partners_shown,
    apply_purge_due,
    apply_referral_changed,
    apply_wish_changed,
)
from services.registry.models import outbox, processed_events
from services.registry.partners import rights
from services.registry.planning import snapshots
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared.events import Event, relay_batches, to_tasks
from shared.events.consumer import apply_message, apply_messages

SUBSCRIBERS = ("matching.events.apply_batch", "reminders.events.apply_batch")


@cache
def worker_registry() -> Registry:
    return Registry.build(RegistrySettings())


@shared_task(name="registry.partners.purge_pending")
def purge_pending() -> int:
    """Makes partners whose `file` consent expired pending, and erases pending partners
    whose time has run out."""
    registry = worker_registry()
    with registry.database.session() as session:
        rights.end_expired_files(session, registry)
        return rights.purge_pending(session, registry)


@shared_task(name="registry.planning.snapshot")
def planning_snapshot() -> int:
    """This month's coverage snapshot of every planning organisation that has none yet."""
    with worker_registry().database.session() as session:
        return snapshots.take_monthly(session)


@shared_task(name="registry.events.relay")
def relay() -> int:
    send = to_tasks(current_app.send_task, SUBSCRIBERS)
    return relay_batches(worker_registry().database, outbox, "registry", send)


HANDLERS: dict[str, Callable[[Session, Registry, Event], None]] = {
    "referral.changed": apply_referral_changed,
    "partners.shown": apply_partners_shown,
    "partner.purge_due": apply_purge_due,
    "newsletter.unsubscribed": apply_newsletter_unsubscribed,
    "wish.changed": apply_wish_changed,
}


def apply(registry: Registry, message: dict[str, Any]) -> bool:
    """Applies one event once; what the task runs, and what tests call directly."""
    return apply_message(registry.database, processed_events, HANDLERS, registry, message)


def apply_batch(registry: Registry, messages: list[dict[str, Any]]) -> int:
    """Applies a batch of events, each once; what the batch task runs."""
    return apply_messages(registry.database, processed_events, HANDLERS, registry, messages)


@shared_task(name="registry.events.apply")
def apply_event(message: dict[str, Any]) -> bool:
    return apply(worker_registry(), message)


@shared_task(name="registry.events.apply_batch")
def apply_event_batch(messages: list[dict[str, Any]]) -> int:
    return apply_batch(worker_registry(), messages)
