"""What operators watch: queue lengths in the broker, due and failed counts in the
database, worker health; as JSON for the admin page and as Prometheus text."""

from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session

from services.reminders.deliveries.service import counts
from services.reminders.operations.service import last_heartbeat
from services.reminders.settings import RemindersSettings
from services.reminders.worker import QUEUES


def queue_lengths(celery: Celery) -> dict[str, int | None]:
    """Messages waiting per queue; None where the broker cannot tell. Redis and the
    embedded SQLAlchemy broker are kombu "virtual" transports, whose channels count a
    queue's messages themselves (a missing queue counts 0)."""
    lengths: dict[str, int | None] = {}
    with celery.connection_for_read() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            try:
                lengths[queue] = int(channel._size(queue))
            except Exception:
                lengths[queue] = None  # a broker that cannot count
    return lengths


def summary(
    session: Session,
    celery: Celery,
    settings: RemindersSettings,
    organisation_id: str | None = None,
) -> dict[str, Any]:
    """The installation's figures; with ``organisation_id`` also that organisation's own
    deliveries and due schedules (``organisation``), which its admin acts on."""
    latest = last_heartbeat(session)
    stale_after = timedelta(seconds=settings.heartbeat_seconds * 3)
    own = {} if organisation_id is None else {"organisation": counts(session, organisation_id)}
    return own | {
        "queues": queue_lengths(celery),
        "deliveries": counts(session),
        "worker": {
            "last_heartbeat": latest,
            "alive": latest is not None and datetime.now(UTC) - latest < stale_after,
        },
    }


def prometheus(data: dict[str, Any]) -> str:
    lines = [
        "# HELP kortisto_queue_length Messages waiting in a Celery queue.",
        "# TYPE kortisto_queue_length gauge",
    ]
    for queue, length in data["queues"].items():
        if length is not None:
            lines.append(f'kortisto_queue_length{{queue="{queue}"}} {length}')
    lines += [
        "# HELP kortisto_deliveries Deliveries by status.",
        "# TYPE kortisto_deliveries gauge",
    ]
    deliveries = dict(data["deliveries"])
    due = deliveries.pop("due_schedules", 0)
    for status, count in sorted(deliveries.items()):
        lines.append(f'kortisto_deliveries{{status="{status}"}} {count}')
    lines += [
        "# HELP kortisto_due_schedules Schedules due now and not yet scanned.",
        "# TYPE kortisto_due_schedules gauge",
        f"kortisto_due_schedules {due}",
        "# HELP kortisto_worker_alive 1 when a worker ran beat's heartbeat recently.",
        "# TYPE kortisto_worker_alive gauge",
        f"kortisto_worker_alive {1 if data['worker']['alive'] else 0}",
    ]
    return "\n".join(lines) + "\n"
