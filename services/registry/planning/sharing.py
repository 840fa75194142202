"""Whose figures a planner sees: their own organisation's, and those of every organisation
that shares statistics with it. Only a municipality receives shares; each organisation's
admin starts and stops its own (see docs/decisions/0006-planner-coverage.md)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.audit import service as audit
from services.registry.identity.models import Organisation, OrganisationKind, utcnow
from services.registry.planning.models import StatisticsShare
from services.registry.planning.schemas import OrganisationRef, SharesOut
from shared.auth import Principal
from shared.errors import Invalid, NotFound


@dataclass(frozen=True)
class Scope:
    """The organisations counted in one planning view; the first is the viewer's own."""

    organisation_id: str
    name: str
    organisation_ids: tuple[str, ...]


def _sharing_with(session: Session, municipality_id: str) -> list[str]:
    return list(
        session.scalars(
            select(StatisticsShare.organisation_id)
            .where(
                StatisticsShare.municipality_id == municipality_id,
                StatisticsShare.ended_at.is_(None),
            )
            .order_by(StatisticsShare.organisation_id)
        )
    )


def scope_of(session: Session, organisation_id: str) -> Scope:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation")
    others: list[str] = []
    if organisation.kind == OrganisationKind.municipality.value:
        others = [o for o in _sharing_with(session, organisation_id) if o != organisation_id]
    return Scope(organisation.id, organisation.name, (organisation.id, *others))


def _refs(session: Session, ids: list[str]) -> list[OrganisationRef]:
    if not ids:
        return []
    found = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return sorted(
        (OrganisationRef(id=o.id, name=o.name) for o in found), key=lambda r: r.name.casefold()
    )


def shares_of(session: Session, organisation_id: str) -> SharesOut:
    """The municipalities the organisation shares with, and who shares with it."""
    given = session.scalars(
        select(StatisticsShare.municipality_id).where(
            StatisticsShare.organisation_id == organisation_id, StatisticsShare.ended_at.is_(None)
        )
    ).all()
    scope = scope_of(session, organisation_id)
    return SharesOut(
        shares_with=_refs(session, list(given)),
        shared_with_us=_refs(session, list(scope.organisation_ids[1:])),
    )


def start(session: Session, admin: Principal, municipality_id: str) -> SharesOut:
    """The admin's organisation starts counting into the municipality's figures."""
    municipality = session.get(Organisation, municipality_id)
    if municipality is None:
        raise NotFound("no such organisation")
    if municipality.kind != OrganisationKind.municipality.value:
        raise Invalid("municipality_id", "statistics are shared with a municipality only")
    if municipality_id == admin.organisation_id:
        raise Invalid("municipality_id", "a municipality's own figures are always in its view")
    share = session.get(StatisticsShare, (admin.organisation_id, municipality_id))
    if share is None:
        share = StatisticsShare(
            organisation_id=admin.organisation_id,
            municipality_id=municipality_id,
            started_by=admin.subject,
        )
        session.add(share)
    elif share.ended_at is not None:
        share.started_at, share.started_by, share.ended_at = utcnow(), admin.subject, None
    else:
        return shares_of(session, admin.organisation_id)
    audit.record(
        session, admin, admin.organisation_id, "statistics.shared", "organisation", municipality_id
    )
    session.flush()
    return shares_of(session, admin.organisation_id)


def stop(session: Session, admin: Principal, municipality_id: str) -> SharesOut:
    share = session.get(StatisticsShare, (admin.organisation_id, municipality_id))
    if share is None or share.ended_at is not None:
        raise NotFound("statistics are not shared with this organisation")
    share.ended_at = utcnow()
    audit.record(
        session,
        admin,
        admin.organisation_id,
        "statistics.share_ended",
        "organisation",
        municipality_id,
    )
    session.flush()
    return shares_of(session, admin.organisation_id)
