"""Registry's Celery tasks: relaying its outbox to the subscribing services' queues."""

from functools import cache

from celery import current_app, shared_task

from services.registry.models import outbox
from services.registry.partners import rights
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared.events import Event, relay_pending

SUBSCRIBERS = ("matching.events.apply", "reminders.events.apply")


def _send(event: Event) -> None:
    for task in SUBSCRIBERS:
        current_app.send_task(task, args=[event.as_message()])


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


@shared_task(name="registry.events.relay")
def relay() -> int:
    return relay_pending(worker_registry().database, outbox, "registry", _send)
