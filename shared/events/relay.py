"""Hands unsent outbox rows to a sender, a batch at a time, and marks them sent.

On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several relays can run
at once without sending the same row twice in one pass; a crash between sending and
marking can repeat an event, which consumers absorb by applying each id once. A pass goes
on while it finds full batches, so a backlog is sent at once rather than a batch a tick."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, select, update

from shared.database import Database
from shared.events.outbox import Event

Sender = Callable[[Event], None]
BatchSender = Callable[[list[Event]], None]

# Events per batch: one message to each subscriber, applied there in one unit of work.
BATCH = 100


def relay_batches(
    database: Database, outbox: Table, source: str, send: BatchSender, *, batch: int = BATCH
) -> int:
    """Sends every unsent event, oldest first, ``batch`` at a time; how many were sent."""
    sent = 0
    while True:
        with database.session() as session:
            query = (
                select(outbox.c.id, outbox.c.type, outbox.c.payload)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.created_at)
                .limit(batch)
            )
            if database.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query).all()
            if rows:
                send([Event(row.id, source, row.type, row.payload) for row in rows])
                session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(sent_at=datetime.now(UTC))
                )
        sent += len(rows)
        if len(rows) < batch:
            return sent


def relay_pending(
    database: Database, outbox: Table, source: str, send: Sender, *, batch: int = BATCH
) -> int:
    """Like ``relay_batches``, handing ``send`` one event at a time."""

    def each(events: list[Event]) -> None:
        for event in events:
            send(event)

    return relay_batches(database, outbox, source, each, batch=batch)


def to_tasks(send_task: Callable[..., object], tasks: Sequence[str]) -> BatchSender:
    """A sender that hands each batch to every one of the subscribers' ``tasks`` (Celery task
    names, such as ``matching.events.apply_batch``) as one message: the batch's events,
    each as ``Event.as_message`` gives it. ``send_task`` is the Celery app's."""

    def send(events: list[Event]) -> None:
        messages = [event.as_message() for event in events]
        shown = f"[{len(messages)} events]"  # what the worker's log shows of the argument
        for task in tasks:
            send_task(task, args=[messages], argsrepr=shown)

    return send
