"""Recording and reading worker heartbeats."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.reminders.operations.models import Heartbeat

KEEP = timedelta(days=1)


def record_heartbeat(session: Session, worker: str) -> None:
    now = datetime.now(UTC)
    session.add(Heartbeat(at=now, worker=worker))
    session.execute(delete(Heartbeat).where(Heartbeat.at < now - KEEP))


def last_heartbeat(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Heartbeat.at)))
