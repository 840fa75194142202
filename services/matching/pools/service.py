"""Applying pool events and answering which organisations share a pool."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.pools.models import PoolMembership
from shared.events import Event


def apply_pool_event(session: Session, event: Event) -> None:
    """Keeps the newest state of a membership: events can arrive out of order, so an older
    version than the one held is ignored."""
    payload = event.payload
    key = (payload["pool_id"], payload["organisation_id"])
    row = session.get(PoolMembership, key)
    if row is None:
        row = PoolMembership(pool_id=key[0], organisation_id=key[1], version=0)
        session.add(row)
    elif row.version >= payload["version"]:
        return
    row.status = payload["status"]
    row.version = payload["version"]
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
