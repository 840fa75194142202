"""The Celery app: one worker serves every service's tasks from per-service queues, and
one beat ticks the periodic tasks. ``celery -A services.reminders.worker worker|beat``.

Reliability settings follow the architecture: late acknowledgement, rejection when a worker
is lost, prefetch 1, JSON messages that carry ids only."""

from celery import Celery
from celery.signals import setup_logging

from services.reminders.settings import RemindersSettings
from shared.broker import celery_broker_settings
from shared.logging import configure_logging

QUEUES = ("registry", "matching", "reminders", "deliveries")


def route_by_service(name: str, *_: object, **__: object) -> dict[str, str] | None:
    """Tasks are named ``<service>.<domain>.<verb>``; the first part picks the queue, except
    that deliveries have a queue of their own, so that sending (slow, retried, prefetch 1)
    never holds up the due scan or event handling."""
    parts = name.split(".")
    if parts[1:2] == ["deliveries"]:
        return {"queue": "deliveries"}
    return {"queue": parts[0]} if parts[0] in QUEUES else None


def create_celery(settings: RemindersSettings) -> Celery:
    if not (settings.broker_url and settings.result_backend):
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the embedded SQLite files
    app = Celery("kortisto")
    app.conf.update(
        **celery_broker_settings(settings.celery_broker_url(), settings.broker_poll_seconds),
        result_backend=settings.celery_result_backend(),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="reminders",
        task_routes=(route_by_service,),
        task_time_limit=300,
        task_soft_time_limit=240,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            "relay registry events": {
                "task": "registry.events.relay",
                "schedule": settings.relay_seconds,
            },
            "relay matching events": {
                "task": "matching.events.relay",
                "schedule": settings.relay_seconds,
            },
            "purge pending partners": {
                "task": "registry.partners.purge_pending",
                "schedule": 3600.0,
            },
            "planning snapshot": {
                "task": "registry.planning.snapshot",
                "schedule": 3600.0,
            },
            "relay reminders events": {
                "task": "reminders.events.relay",
                "schedule": settings.relay_seconds,
            },
            "due scan": {
                "task": "reminders.schedules.scan",
                "schedule": settings.due_scan_seconds,
            },
            "sweep stuck deliveries": {
                "task": "reminders.deliveries.sweep",
                "schedule": max(60.0, settings.sweep_after_seconds / 4),
            },
            "worker heartbeat": {
                "task": "reminders.operations.heartbeat",
                "schedule": settings.heartbeat_seconds,
            },
        },
        include=["services.registry.tasks", "services.matching.tasks", "services.reminders.tasks"],
    )
    return app


settings = RemindersSettings()
celery = create_celery(settings)
app = celery


@setup_logging.connect
def json_logs(**_: object) -> None:
    """Worker and beat log in the same JSON shape as the APIs."""
    configure_logging("worker", settings.log_level)
