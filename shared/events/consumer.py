"""Applies each event once: the event id is recorded in the consumer's own table in the
same transaction as the event's effect, so a repeated delivery changes nothing."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from shared.events.outbox import Event


def processed_event_table(metadata: MetaData) -> Table:
    return Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("source", String(32), nullable=False),
        Column("type", String(64), nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )


def apply_once(
    session: Session, processed: Table, event: Event, handler: Callable[[Session, Event], None]
) -> bool:
    """Runs ``handler`` unless this event was applied before; True when it ran. A second
    consumer racing on the same id fails on the primary key and its transaction rolls back."""
    seen = session.execute(
        select(processed.c.event_id).where(processed.c.event_id == event.id)
    ).first()
    if seen:
        return False
    session.execute(
        insert(processed).values(
            event_id=event.id, source=event.source, type=event.type, applied_at=datetime.now(UTC)
        )
    )
    handler(session, event)
    return True


def dispatch(
    handlers: Mapping[str, Callable[[Session, Event], None]],
) -> Callable[[Session, Event], None]:
    """One handler that routes by event type; types without a handler are recorded as seen
    and otherwise ignored, so publishers can add events before every consumer cares."""

    def handle(session: Session, event: Event) -> None:
        handler = handlers.get(event.type)
        if handler is not None:
            handler(session, event)

    return handle
