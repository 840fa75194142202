"""Applies each event once: the event id is recorded in the consumer's own table in the
same transaction as the event's effect, so a repeated delivery changes nothing. A unit of
work that loses a race with another worker is run again, so no event is dropped.

The relay hands a consumer its events in batches; a batch is applied in one unit of work
(one commit instead of one per event), and if that unit fails for any other reason than a
race, each event of the batch is applied in a unit of its own, so that one bad event holds
back none of the others."""

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shared.database import Database, UtcDateTime
from shared.events.outbox import Event

R = TypeVar("R")
T = TypeVar("T")

log = logging.getLogger(__name__)

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


def apply_new(
    session: Session,
    processed: Table,
    events: Sequence[Event],
    handler: Callable[[Session, Event], None],
) -> int:
    """Runs ``handler`` for each of ``events``, in order, that was not applied before (a
    repeated id in ``events`` counts once); how many ran. One transaction for them all: the
    ids are recorded first, so a consumer applying the same events at once fails on the
    primary key. Each event starts with nothing of the one before it in the session's
    identity map, as if it had a session of its own."""
    unique = list({event.id: event for event in events}.values())
    seen = set(
        session.scalars(
            select(processed.c.event_id).where(processed.c.event_id.in_([e.id for e in unique]))
        )
    )
    fresh = [event for event in unique if event.id not in seen]
    if not fresh:
        return 0
    now = datetime.now(UTC)
    session.execute(
        insert(processed),
        [{"event_id": e.id, "source": e.source, "type": e.type, "applied_at": now} for e in fresh],
    )
    for event in fresh:
        handler(session, event)
        session.flush()
        session.expunge_all()
    return len(fresh)


def dispatch(
    handlers: Mapping[str, Callable[[Session, R, Event], None]], runtime: R
) -> Callable[[Session, Event], None]:
    """One handler that routes by event type to the service's handlers, which get its
    runtime (keyring, settings) too. Types without a handler are recorded as seen and
    otherwise ignored, so publishers can add events before every consumer cares."""

    def handle(session: Session, event: Event) -> None:
        handler = handlers.get(event.type)
        if handler is not None:
            handler(session, runtime, event)

    return handle


def _until_no_conflict(work: Callable[[], T]) -> T:
    """``work`` (a unit of work), run again when it conflicted with another worker's."""
    attempt = 1
    while True:
        try:
            return work()
        except (IntegrityError, OperationalError):
            # Two events about one row, applied at once by two workers, may both find it
            # missing and both insert it; the later insert fails on the key (or, under
            # stricter isolation, on serialisation; on SQLite, a lock held too long). Run
            # again: the row is there to update.
            if attempt == CONFLICT_TRIES:
                raise
            time.sleep(0.05 * attempt)
            attempt += 1


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
    handler = dispatch(handlers, runtime)

    def unit() -> bool:
        with database.session() as session:
            return apply_once(session, processed, event, handler)

    return _until_no_conflict(unit)


def apply_messages(
    database: Database,
    processed: Table,
    handlers: Mapping[str, Callable[[Session, R, Event], None]],
    runtime: R,
    messages: Sequence[dict[str, Any]],
) -> int:
    """A batch task's body: the events not applied before, in order, in one unit of work;
    how many were applied. Should that unit fail, each event is applied in a unit of its
    own instead (the events that can be applied are, each once); the first failure is then
    raised, as the task of that event alone would have raised it."""
    events = [Event.from_message(message) for message in messages]
    handler = dispatch(handlers, runtime)

    def unit() -> int:
        with database.session() as session:
            return apply_new(session, processed, events, handler)

    try:
        return _until_no_conflict(unit)
    except Exception as exc:
        if len(events) < 2:
            raise
        log.warning(
            "a batch of %d events failed as one unit of work (%s); applying them one by one",
            len(events),
            type(exc).__name__,
        )
    applied, failure = 0, None
    for message in messages:
        try:
            applied += apply_message(database, processed, handlers, runtime, message)
        except Exception as exc:
            log.warning(
                "event %s (%s) not applied: %s", message["id"], message["type"], type(exc).__name__
            )
            failure = failure or exc
    if failure is not None:
        raise failure
    return applied
