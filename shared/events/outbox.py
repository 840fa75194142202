"""The outbox table and the helper that writes an event in the caller's transaction."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, MetaData, String, Table, insert
from sqlalchemy.orm import Session

from shared.database import UtcDateTime


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("type", String(64), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False, index=True),
        Column("sent_at", UtcDateTime(), nullable=True, index=True),
    )


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    type: str
    payload: dict[str, Any]

    def as_message(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "type": self.type, "payload": self.payload}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "Event":
        return cls(message["id"], message["source"], message["type"], message["payload"])


_HELD = "kortisto.outbox_held"  # events of a batch not yet written, in the session's info


def publish(session: Session, outbox: Table, type_: str, **payload: Any) -> str:
    """Records an event to be relayed once the caller's transaction commits."""
    event_id = str(uuid.uuid4())
    row = {
        "id": event_id,
        "type": type_,
        "payload": payload,
        "created_at": datetime.now(UTC),
        "sent_at": None,
    }
    held: list[tuple[Table, dict[str, Any]]] | None = session.info.get(_HELD)
    if held is None:
        session.execute(insert(outbox).values(**row))
    else:
        held.append((outbox, row))
    return event_id


@contextmanager
def batched_events(session: Session) -> Iterator[None]:
    """Events published inside are written to the outbox together when the block ends,
    one statement per outbox table instead of one per event; on an error none are."""
    if _HELD in session.info:
        yield  # an enclosing batch writes them
        return
    held: list[tuple[Table, dict[str, Any]]] = []
    session.info[_HELD] = held
    try:
        yield
    finally:
        session.info.pop(_HELD, None)
    for table in dict.fromkeys(t for t, _ in held):
        session.execute(insert(table), [row for t, row in held if t is table])
