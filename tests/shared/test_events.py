"""The outbox, its relay and idempotent consumers, on the session's engine."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from shared.database import Database, service_metadata
from shared.events import (
    Event,
    apply_new,
    apply_once,
    batched_events,
    outbox_table,
    processed_event_table,
    publish,
    relay_batches,
    relay_pending,
)
from shared.events.consumer import apply_messages
from tests.conftest import scratch_database

metadata = service_metadata("events_test")
outbox = outbox_table(metadata)
processed = processed_event_table(metadata)


@pytest.fixture
def database(database_urls: dict[str, str], tmp_path: Path) -> Iterator[Database]:
    with scratch_database(database_urls, tmp_path, metadata) as database:
        yield database


def test_an_event_exists_only_if_its_change_committed(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        publish(session, outbox, "thing.changed", thing_id="1")
        raise RuntimeError("the change failed")
    with database.session() as session:
        publish(session, outbox, "thing.changed", thing_id="2")
    sent: list[Event] = []
    assert relay_pending(database, outbox, "test", sent.append) == 1
    assert [e.payload for e in sent] == [{"thing_id": "2"}]
    # a second pass finds nothing left to send
    assert relay_pending(database, outbox, "test", sent.append) == 0


def test_relay_sends_in_order_across_batches(database: Database) -> None:
    with database.session() as session:
        for n in range(7):
            publish(session, outbox, "thing.changed", n=n)
    sent: list[Event] = []
    assert relay_pending(database, outbox, "test", sent.append, batch=3) == 7
    assert sorted(e.payload["n"] for e in sent) == list(range(7))


def test_relay_hands_over_batches_oldest_first(database: Database) -> None:
    with database.session() as session:
        for n in range(7):
            publish(session, outbox, "thing.changed", n=n)
    batches: list[list[Event]] = []
    assert relay_batches(database, outbox, "test", batches.append, batch=3) == 7
    assert [[e.payload["n"] for e in b] for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert relay_batches(database, outbox, "test", batches.append, batch=3) == 0


def test_a_batch_writes_its_events_together_in_order_or_not_at_all(database: Database) -> None:
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - statement text
    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        with database.session() as session, batched_events(session):
            for n in range(5):
                publish(session, outbox, "thing.changed", n=n)
            assert session.scalar(select(func.count()).select_from(outbox)) == 0
            with batched_events(session):  # an inner batch leaves them to the outer one
                publish(session, outbox, "thing.changed", n=5)
            assert session.scalar(select(func.count()).select_from(outbox)) == 0
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert sum(s.startswith("INSERT INTO") and "outbox" in s for s in statements) == 1
    with pytest.raises(RuntimeError), database.session() as session, batched_events(session):
        publish(session, outbox, "thing.changed", n=99)
        raise RuntimeError("the change failed")
    sent: list[Event] = []
    assert relay_pending(database, outbox, "test", sent.append) == 6
    assert [e.payload["n"] for e in sent] == list(range(6))


def test_a_failed_send_leaves_the_event_for_the_next_pass(database: Database) -> None:
    with database.session() as session:
        publish(session, outbox, "thing.changed", n=1)

    def broken(_: Event) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        relay_pending(database, outbox, "test", broken)
    sent: list[Event] = []
    assert relay_pending(database, outbox, "test", sent.append) == 1


def test_a_repeated_event_is_applied_once(database: Database) -> None:
    applied: list[str] = []

    def handler(session: Session, event: Event) -> None:
        applied.append(event.id)

    event = Event("6f1c0c3e-2b0a-4c61-9d35-7d1f5a0c9e11", "test", "thing.changed", {})
    for _ in range(3):
        with database.session() as session:
            apply_once(session, processed, event, handler)
    assert applied == [event.id]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(processed)) == 1


def test_a_failed_handler_does_not_mark_the_event_applied(database: Database) -> None:
    event = Event("0d7b1a52-8f0e-4c8a-a1a8-5f7d3b2c1e00", "test", "thing.changed", {})

    def failing(session: Session, event: Event) -> None:
        raise ValueError("cannot apply yet")

    with pytest.raises(ValueError), database.session() as session:
        apply_once(session, processed, event, failing)
    applied: list[str] = []
    with database.session() as session:
        assert apply_once(session, processed, event, lambda s, e: applied.append(e.id))
    assert applied == [event.id]


def events(*names: str) -> list[Event]:
    return [
        Event(f"00000000-0000-4000-8000-{n:012d}", "test", name, {}) for n, name in enumerate(names)
    ]


def test_a_batch_applies_each_event_once_in_order(database: Database) -> None:
    first, second, third = events("thing.changed", "thing.changed", "thing.changed")
    applied: list[str] = []

    def handler(session: Session, event: Event) -> None:
        applied.append(event.id)

    with database.session() as session:
        assert apply_once(session, processed, second, handler)
    applied.clear()
    # ``second`` was applied before, ``first`` comes twice: each new id runs once, in order.
    with database.session() as session:
        assert apply_new(session, processed, [first, second, third, first], handler) == 2
    assert applied == [first.id, third.id]
    with database.session() as session:  # the whole batch delivered again
        assert apply_new(session, processed, [first, second, third], handler) == 0
    assert applied == [first.id, third.id]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(processed)) == 3


def test_an_event_that_fails_in_a_batch_holds_back_no_other(database: Database) -> None:
    good, bad, later = events("thing.changed", "thing.broken", "thing.changed")
    applied: list[str] = []

    def changed(session: Session, runtime: object, event: Event) -> None:
        applied.append(event.id)

    def broken(session: Session, runtime: object, event: Event) -> None:
        raise ValueError("cannot apply this one")

    handlers = {"thing.changed": changed, "thing.broken": broken}
    messages: list[dict[str, Any]] = [e.as_message() for e in (good, bad, later)]
    with pytest.raises(ValueError):
        apply_messages(database, processed, handlers, None, messages)
    # Tried as one unit first (rolled back), then each event alone.
    assert applied == [good.id, good.id, later.id]
    with database.session() as session:
        recorded = set(session.scalars(select(processed.c.event_id)))
    assert recorded == {good.id, later.id}, "the failed event is left to be applied later"
