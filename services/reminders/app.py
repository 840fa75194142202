"""The reminders application: due items and delivery settings for staff, the upkeep
policy, failed deliveries, and operations (queues, counts, worker health, metrics)."""

from typing import Any

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from services.reminders.deliveries.api import router as deliveries_router
from services.reminders.meetings.api import router as meetings_router
from services.reminders.newsletters.api import router as newsletters_router
from services.reminders.operations import metrics
from services.reminders.runtime import Reminders
from services.reminders.settings import RemindersSettings
from services.reminders.worker import create_celery
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.auth.deps import AdminDep
from shared.logging import configure_logging


def create_app(settings: RemindersSettings | None = None) -> FastAPI:
    settings = settings or RemindersSettings()
    configure_logging("reminders", settings.log_level)
    reminders = Reminders.build(settings)
    celery = create_celery(settings)
    # Requests run in worker threads, where Celery's thread-local current app is unset and
    # falls back to the default app: deliveries queued there (enqueue) must reach this
    # broker, not an unconfigured default one.
    celery.set_default()

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
    app.include_router(deliveries_router)
    app.include_router(newsletters_router)
    app.include_router(meetings_router)

    def current(organisation_id: str | None = None) -> dict[str, Any]:
        with reminders.database.session() as session:
            return metrics.summary(session, celery, settings, organisation_id)

    @app.get("/operations/worker", tags=["operations"], summary="Whether a worker runs")
    def worker_status() -> dict[str, object]:
        with reminders.database.session() as session:
            worker: dict[str, object] = metrics.summary(session, celery, settings)["worker"]
        return worker

    @app.get(
        "/operations/summary",
        tags=["operations"],
        summary="Queues, deliveries (all, and the organisation's own), worker",
    )
    def operations_summary(admin: AdminDep) -> dict[str, Any]:
        return current(admin.organisation_id)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
    )
    def prometheus_metrics() -> str:
        return metrics.prometheus(current())

    return app
