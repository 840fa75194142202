"""Hands unsent outbox rows to a sender and marks them sent.

On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several relays can run
at once without sending the same row twice in one pass; a crash between sending and
marking can repeat an event, which consumers absorb by applying each id once."""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Table, select, update

from shared.database import Database
from shared.events.outbox import Event

Sender = Callable[[Event], None]


def relay_pending(
    database: Database, outbox: Table, source: str, send: Sender, *, batch: int = 100
) -> int:
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
            for row in rows:
                send(Event(row.id, source, row.type, row.payload))
            if rows:
                session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(sent_at=datetime.now(UTC))
                )
        sent += len(rows)
        if len(rows) < batch:
            return sent
