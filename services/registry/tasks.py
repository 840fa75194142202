"""Registry's Celery tasks: relaying its outbox to the subscribing services' queues."""

from functools import cache

from celery import current_app, shared_task

from services.registry.models import SCHEMA, outbox
from services.registry.settings import RegistrySettings
from shared.database import Database
from shared.events import Event, relay_pending

SUBSCRIBERS = ("matching.events.apply", "reminders.events.apply")


@cache
def worker_database() -> Database:
    return Database(RegistrySettings().resolved_database_url(), SCHEMA)


def _send(event: Event) -> None:
    for task in SUBSCRIBERS:
        current_app.send_task(task, args=[event.as_message()])


@shared_task(name="registry.events.relay")
def relay() -> int:
    return relay_pending(worker_database(), outbox, "registry", _send)
