"""Applies each event once: the event id is recorded in the consumer's own table in the
same transaction as the event's effect, so a repeated delivery changes nothing. A unit of
work that loses a race with another worker is run again, so no event is dropped."""

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shared.database import Database, UtcDateTime
from shared.events.outbox import Event

R = TypeVar("R")

# Tries of one event's unit of work when it conflicts with another worker's.
CONFLICT_TRIES = 5


def processed_event_table(metadata: MetaData) -> Table:
    return Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("source", String(32), nullable=False),
        Column("type", String(64), nullable=False),
        Column("applied_at", UtcDateTime(), nullable=False),
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
    attempt = 1
    while True:
        try:
            with database.session() as session:
                return apply_once(session, processed, event, dispatch(bound))
        except (IntegrityError, OperationalError):
            # Two events about one row, applied at once by two workers, may both find it
            # missing and both insert it; the later insert fails on the key (or, under
            # stricter isolation, on serialisation). Run again: the row is there to update.
            if attempt == CONFLICT_TRIES:
                raise
            time.sleep(0.05 * attempt)
            attempt += 1
