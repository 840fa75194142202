"""Applying pool events and answering which organisations share a pool."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.pools.models import PoolMembership
from shared.events import Event


def apply_pool_event(session: Session, event: Event) -> None:
    payload = event.payload
    key = (payload["pool_id"], payload["organisation_id"])
    status = "active" if payload["status"] in ("created", "active") else payload["status"]
    row = session.get(PoolMembership, key)
    if row is None:
        row = PoolMembership(pool_id=key[0], organisation_id=key[1])
        session.add(row)
    row.status = status
    row.changed_at = datetime.now(UTC)


def pooled_organisations(session: Session, organisation_id: str) -> set[str]:
    mine = select(PoolMembership.pool_id).where(
        PoolMembership.organisation_id == organisation_id, PoolMembership.status == "active"
    )
    rows = session.scalars(
        select(PoolMembership.organisation_id).where(
            PoolMembership.pool_id.in_(mine), PoolMembership.status == "active"
        )
    )
    return set(rows) - {organisation_id}
