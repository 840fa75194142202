"""The reminders application: schedules, deliveries and upkeep (growing), with the Celery
broker's and the worker's health."""

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from services.reminders.operations.service import last_heartbeat
from services.reminders.runtime import Reminders
from services.reminders.settings import RemindersSettings
from services.reminders.worker import create_celery
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.logging import configure_logging


def create_app(settings: RemindersSettings | None = None) -> FastAPI:
    settings = settings or RemindersSettings()
    configure_logging("reminders", settings.log_level)
    reminders = Reminders.build(settings)
    celery = create_celery(settings)

    def broker() -> None:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)

    app = create_service_app(
        "reminders",
        settings,
        {"database": reminders.database.ping, "broker": broker},
        title="Kortisto reminders",
        description="Scheduled upkeep, greetings, newsletters and review meetings.",
        whoami=True,
    )
    app.state.reminders = reminders
    app.state.database = reminders.database
    app.state.token_verifier = TokenVerifier.of_registry(settings)

    @app.get(
        "/operations/worker", tags=["operations"], summary="When a worker last ran beat's tick"
    )
    def worker_status() -> dict[str, object]:
        with reminders.database.session() as session:
            latest = last_heartbeat(session)
        stale_after = timedelta(seconds=settings.heartbeat_seconds * 3)
        alive = latest is not None and datetime.now(UTC) - latest < stale_after
        return {"last_heartbeat": latest, "alive": alive}

    return app
