"""Acquaintances staff record: who knows whom among partners, support users and staff, when
no activity or referral shows it. Both ends must be visible to the recorder: a partner the
organisation may see in the index, a support user of its own, or a staff member matching
knows in the organisation (the recorder, a support user's worker, or someone who logged a
contact with one of its partners)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.index.models import IndexedPartner
from services.matching.networks.models import Acquaintance, PartnerContact
from services.matching.networks.schemas import AcquaintanceIn, AcquaintanceOut, End
from services.matching.suggestions.candidates import visible_to
from services.matching.support_users.models import SupportUser
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound

RECORDERS = ("admin", "staff")
READERS = ("admin", "staff", "coordinator")


def _check(session: Session, principal: Principal, end: End, field: str) -> None:
    org = principal.organisation_id
    if end.kind == "partner":
        found = session.scalar(
            select(IndexedPartner.partner_id).where(
                IndexedPartner.partner_id == end.id, visible_to(session, org)
            )
        )
    elif end.kind == "support_user":
        found = session.scalar(
            select(SupportUser.id).where(
                SupportUser.id == end.id, SupportUser.organisation_id == org
            )
        )
    elif end.id == principal.subject:
        found = end.id
    else:
        found = session.scalar(
            select(SupportUser.worker_user_id)
            .where(SupportUser.worker_user_id == end.id, SupportUser.organisation_id == org)
            .limit(1)
        ) or session.scalar(
            select(PartnerContact.staff_user_id)
            .where(PartnerContact.staff_user_id == end.id, PartnerContact.organisation_id == org)
            .limit(1)
        )
    if found is None:
        raise Invalid(f"{field}.id", f"no such {end.kind} among those you may see")


def _out(row: Acquaintance) -> AcquaintanceOut:
    return AcquaintanceOut(
        id=row.id,
        a=End(kind=row.a_kind, id=row.a_id),
        b=End(kind=row.b_kind, id=row.b_id),
        strength=row.strength,
        recorded_by=row.recorded_by,
        created_at=row.created_at,
    )


def record(session: Session, principal: Principal, data: AcquaintanceIn) -> AcquaintanceOut:
    if not principal.has_any(*RECORDERS):
        raise Forbidden("acquaintances are recorded by the organisation's admins and staff")
    _check(session, principal, data.a, "a")
    _check(session, principal, data.b, "b")
    first, second = sorted(
        [(data.a.kind.value, data.a.id), (data.b.kind.value, data.b.id)],
        key=lambda end: f"{end[0]}:{end[1]}",
    )
    if first == second:
        raise Invalid("b.id", "an acquaintance needs two different ends")
    taken = session.scalar(
        select(Acquaintance.id).where(
            Acquaintance.organisation_id == principal.organisation_id,
            Acquaintance.a_kind == first[0],
            Acquaintance.a_id == first[1],
            Acquaintance.b_kind == second[0],
            Acquaintance.b_id == second[1],
        )
    )
    if taken is not None:
        raise Conflict("this acquaintance is already recorded", field="b.id")
    row = Acquaintance(
        organisation_id=principal.organisation_id,
        a_kind=first[0],
        a_id=first[1],
        b_kind=second[0],
        b_id=second[1],
        strength=data.strength.value,
        recorded_by=principal.subject,
    )
    session.add(row)
    session.flush()
    return _out(row)


def listing(session: Session, principal: Principal) -> list[AcquaintanceOut]:
    """The organisation's acquaintances whose partner ends it may still see."""
    if not principal.has_any(*READERS):
        raise Forbidden("acquaintances are for the organisation's admins, staff and coordinators")
    rows = session.scalars(
        select(Acquaintance)
        .where(Acquaintance.organisation_id == principal.organisation_id)
        .order_by(Acquaintance.created_at, Acquaintance.id)
    ).all()
    partner_ids = {r.a_id for r in rows if r.a_kind == "partner"} | {
        r.b_id for r in rows if r.b_kind == "partner"
    }
    visible = set(
        session.scalars(
            select(IndexedPartner.partner_id).where(
                IndexedPartner.partner_id.in_(partner_ids),
                visible_to(session, principal.organisation_id),
            )
        )
    )
    return [
        _out(r)
        for r in rows
        if (r.a_kind != "partner" or r.a_id in visible)
        and (r.b_kind != "partner" or r.b_id in visible)
    ]


def remove(session: Session, principal: Principal, acquaintance_id: str) -> None:
    if not principal.has_any(*RECORDERS):
        raise Forbidden("acquaintances are removed by the organisation's admins and staff")
    row = session.get(Acquaintance, acquaintance_id)
    if row is None or row.organisation_id != principal.organisation_id:
        raise NotFound("no such acquaintance")
    session.delete(row)
    session.flush()
