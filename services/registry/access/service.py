"""Appending to and verifying the hash-chained access log."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.access.models import AccessChainHead, AccessEntry
from shared.auth import Principal

GENESIS = "0" * 64


@dataclass(frozen=True)
class Access:
    partner_id: str
    owner_organisation_id: str
    action: str
    basis: str


def _digest(entry: AccessEntry) -> str:
    at = entry.at
    body = {
        "owner": entry.owner_organisation_id,
        "seq": entry.seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "partner": entry.partner_id,
        "reader_organisation": entry.reader_organisation_id,
        "reader": entry.reader,
        "action": entry.action,
        "basis": entry.basis,
        "prev": entry.prev_hash,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _head(session: Session, owner: str) -> AccessChainHead:
    query = select(AccessChainHead).where(AccessChainHead.owner_organisation_id == owner)
    head = session.scalar(query.with_for_update())
    if head is None:
        head = AccessChainHead(owner_organisation_id=owner, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(session: Session, reader: Principal, accesses: list[Access]) -> None:
    """Appends one entry per access, in the reader's transaction."""
    now = datetime.now(UTC)
    for owner in sorted({a.owner_organisation_id for a in accesses}):  # fixed lock order
        head = _head(session, owner)
        for access in (a for a in accesses if a.owner_organisation_id == owner):
            entry = AccessEntry(
                owner_organisation_id=owner,
                seq=head.seq + 1,
                at=now,
                partner_id=access.partner_id,
                reader_organisation_id=reader.organisation_id,
                reader=f"{reader.kind}:{reader.subject}",
                action=access.action,
                basis=access.basis,
                prev_hash=head.hash,
            )
            entry.hash = _digest(entry)
            session.add(entry)
            head.seq, head.hash = entry.seq, entry.hash
    session.flush()


def entries(
    session: Session,
    owner: str,
    *,
    partner_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AccessEntry]:
    query = select(AccessEntry).where(AccessEntry.owner_organisation_id == owner)
    if partner_id:
        query = query.where(AccessEntry.partner_id == partner_id)
    return list(session.scalars(query.order_by(AccessEntry.seq.desc()).limit(limit).offset(offset)))


@dataclass(frozen=True)
class Verification:
    owner_organisation_id: str
    entries: int
    valid: bool
    first_broken_seq: int | None
    problem: str


def verify(session: Session, owner: str) -> Verification:
    """Walks the chain: each entry's hash, its link to the previous one, gapless numbering,
    and the head matching the last entry (so a removed tail is found too)."""
    previous, expected_seq, count = GENESIS, 1, 0
    rows = session.scalars(
        select(AccessEntry)
        .where(AccessEntry.owner_organisation_id == owner)
        .order_by(AccessEntry.seq)
    )
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return Verification(owner, count, False, expected_seq, "an entry is missing")
        if entry.prev_hash != previous or _digest(entry) != entry.hash:
            return Verification(owner, count, False, entry.seq, "an entry was altered")
        previous, expected_seq = entry.hash, expected_seq + 1
    head = session.get(AccessChainHead, owner)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != previous):
        return Verification(owner, count, False, expected_seq, "entries at the end were removed")
    return Verification(owner, count, True, None, "")


def owners(session: Session) -> list[str]:
    return list(session.scalars(select(AccessChainHead.owner_organisation_id)))
