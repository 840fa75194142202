"""Sharing pools: an admin creates one, invites another organisation, whose admin
accepts; any member can leave. Only active members share anything."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.audit import service as audit
from services.registry.identity.models import Organisation
from services.registry.models import outbox
from services.registry.pools.models import Pool, PoolMember, PoolMemberStatus
from services.registry.pools.schemas import PoolMemberOut, PoolOut
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import publish

ACTIVE = PoolMemberStatus.active.value
INVITED = PoolMemberStatus.invited.value
LEFT = PoolMemberStatus.left.value


def _member(session: Session, pool_id: str, organisation_id: str) -> PoolMember | None:
    return session.scalar(
        select(PoolMember).where(
            PoolMember.pool_id == pool_id, PoolMember.organisation_id == organisation_id
        )
    )


def _visible_pool(session: Session, principal: Principal, pool_id: str) -> tuple[Pool, PoolMember]:
    """The pool and the caller's membership; a pool the caller's organisation is not (or no
    longer) part of does not exist for it."""
    pool = session.get(Pool, pool_id)
    mine = _member(session, pool_id, principal.organisation_id) if pool else None
    if pool is None or mine is None or mine.status == LEFT:
        raise NotFound("no such pool")
    return pool, mine


def _changed(
    session: Session, principal: Principal, pool: Pool, member: PoolMember, action: str
) -> None:
    """Audits the change and publishes the member's new state with a version number, so a
    consumer receiving two changes out of order keeps the newer one."""
    member.version = (member.version or 0) + 1
    audit.record(
        session,
        principal,
        principal.organisation_id,
        f"pool.{action}",
        "pool",
        pool.id,
        member_organisation_id=member.organisation_id,
    )
    publish(
        session,
        outbox,
        "pool.membership_changed",
        pool_id=pool.id,
        organisation_id=member.organisation_id,
        status=member.status,
        version=member.version,
    )


def create_pool(session: Session, principal: Principal, name: str) -> Pool:
    pool = Pool(name=name.strip(), created_by_organisation_id=principal.organisation_id)
    session.add(pool)
    session.flush()
    now = datetime.now(UTC)
    founder = PoolMember(
        pool_id=pool.id, organisation_id=principal.organisation_id, status=ACTIVE, joined_at=now
    )
    session.add(founder)
    _changed(session, principal, pool, founder, "created")
    return pool


def invite(session: Session, principal: Principal, pool_id: str, organisation_id: str) -> Pool:
    pool, mine = _visible_pool(session, principal, pool_id)
    if mine.status != ACTIVE:
        raise Forbidden("only active members can invite")
    if session.get(Organisation, organisation_id) is None:
        raise Invalid("organisation_id", "no such organisation")
    existing = _member(session, pool_id, organisation_id)
    if existing and existing.status in (ACTIVE, INVITED):
        raise Conflict(f"that organisation is already {existing.status}", field="organisation_id")
    now = datetime.now(UTC)
    if existing is None:
        existing = PoolMember(pool_id=pool_id, organisation_id=organisation_id)
        session.add(existing)
    existing.status = INVITED
    existing.invited_at = now
    existing.invited_by_organisation_id = principal.organisation_id
    existing.left_at = None
    _changed(session, principal, pool, existing, "invited")
    return pool


def accept(session: Session, principal: Principal, pool_id: str) -> Pool:
    pool, mine = _visible_pool(session, principal, pool_id)
    if mine.status != INVITED:
        raise Conflict("there is no open invitation to accept")
    mine.status = ACTIVE
    mine.joined_at = datetime.now(UTC)
    _changed(session, principal, pool, mine, "accepted")
    return pool


def leave(session: Session, principal: Principal, pool_id: str) -> None:
    """Leaving also declines an open invitation."""
    pool, mine = _visible_pool(session, principal, pool_id)
    mine.status = LEFT
    mine.left_at = datetime.now(UTC)
    _changed(session, principal, pool, mine, "left")


def active_peers(session: Session, organisation_id: str) -> set[str]:
    """Organisations sharing an active pool with ``organisation_id`` (itself excluded)."""
    my_pools = select(PoolMember.pool_id).where(
        PoolMember.organisation_id == organisation_id, PoolMember.status == ACTIVE
    )
    rows = session.scalars(
        select(PoolMember.organisation_id).where(
            PoolMember.pool_id.in_(my_pools), PoolMember.status == ACTIVE
        )
    )
    return set(rows) - {organisation_id}


def pool_view(session: Session, pool: Pool, my_status: str) -> PoolOut:
    rows = session.execute(
        select(PoolMember, Organisation.name)
        .join(Organisation, Organisation.id == PoolMember.organisation_id)
        .where(PoolMember.pool_id == pool.id)
        .order_by(Organisation.name)
    )
    return PoolOut(
        id=pool.id,
        name=pool.name,
        created_by_organisation_id=pool.created_by_organisation_id,
        my_status=my_status,
        members=[
            PoolMemberOut(
                organisation_id=m.organisation_id,
                organisation_name=name,
                status=m.status,
                invited_at=m.invited_at,
                joined_at=m.joined_at,
                left_at=m.left_at,
            )
            for m, name in rows
        ],
    )


def get_pool(session: Session, principal: Principal, pool_id: str) -> PoolOut:
    pool, mine = _visible_pool(session, principal, pool_id)
    return pool_view(session, pool, mine.status)


def list_pools(session: Session, principal: Principal) -> list[PoolOut]:
    rows = session.execute(
        select(Pool, PoolMember.status)
        .join(PoolMember, PoolMember.pool_id == Pool.id)
        .where(PoolMember.organisation_id == principal.organisation_id, PoolMember.status != LEFT)
        .order_by(Pool.name)
    )
    return [pool_view(session, pool, status) for pool, status in rows]
