"""Applies each event once: the event id is recorded in the consumer's own table in the
same transaction as the event's effect, so a repeated delivery changes nothing."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from shared.database import Database
from shared.events.outbox import Event

R = TypeVar("R")


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


def apply_message(
    database: Database,
    processed: Table,
    handlers: Mapping[str, Callable[[Session, R, Event], None]],
    runtime: R,
    message: dict[str, Any],
) -> bool:
    """A consumer task's body: the event applied once, in its own unit of work, by the
    handler for its type, which gets the service's runtime (keyring, settings) too."""
    event = Event.from_message(message)
    bound = {
        name: (lambda session, e, h=handler: h(session, runtime, e))
        for name, handler in handlers.items()
    }
    with database.session() as session:
        return apply_once(session, processed, event, dispatch(bound))
