"""Monthly coverage snapshots, so that a planner sees how coverage changed. A snapshot
keeps only what was published at the default k (suppressed figures as NULL): the trend of
a figure never shows more than the month's own view did."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry.aggregates.service import DEFAULT_K
from services.registry.identity.models import Membership, Organisation, OrganisationKind
from services.registry.planning import service
from services.registry.planning.models import TOTAL, CoverageSnapshot, CoverageSnapshotEntry
from services.registry.planning.schemas import OrganisationRef, TrendPoint, TrendsOut
from shared.errors import Invalid, NotFound


def month_of(moment: datetime, timezone: str) -> date:
    """The first day of the month ``moment`` falls in, on the organisation's clock."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def planning_organisations(session: Session) -> list[str]:
    """Every municipality, and any other organisation with a planner among its members."""
    found = set(
        session.scalars(
            select(Organisation.id).where(Organisation.kind == OrganisationKind.municipality.value)
        )
    )
    for organisation_id, roles in session.execute(
        select(Membership.organisation_id, Membership.roles)
    ):
        if "planner" in (roles or ()):
            found.add(organisation_id)
    return sorted(found)


def take(session: Session, organisation_id: str, now: datetime) -> bool:
    """This month's snapshot of the organisation's view, unless it has one; True when
    taken. Two runs at once: the second fails on the unique month and takes none."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation")
    month = month_of(now, organisation.timezone)
    taken = select(CoverageSnapshot.id).where(
        CoverageSnapshot.municipality_id == organisation_id, CoverageSnapshot.month == month
    )
    if session.scalar(taken) is not None:
        return False
    cov = service.coverage(session, organisation_id, DEFAULT_K)
    keys = sorted(set(cov.supply.entries) | set(cov.demand.entries))
    try:
        with session.begin_nested():
            snapshot = CoverageSnapshot(
                municipality_id=organisation_id,
                month=month,
                k=cov.k,
                organisations=len(cov.scope.organisation_ids),
                taken_at=now,
            )
            session.add(snapshot)
            session.flush()
            if keys:
                session.execute(
                    insert(CoverageSnapshotEntry),
                    [
                        {
                            "snapshot_id": snapshot.id,
                            "district_code": district,
                            "category_code": category,
                            "supply": cov.supply.get(district, category),
                            "demand": cov.demand.get(district, category),
                        }
                        for district, category in keys
                    ],
                )
    except IntegrityError:
        return False
    return True


def take_monthly(session: Session, now: datetime | None = None) -> int:
    """Takes the month's snapshot of every planning organisation that has none yet;
    returns how many were taken. Run as often as wanted: once a month takes them."""
    moment = now or datetime.now(UTC)
    return sum(take(session, org, moment) for org in planning_organisations(session))


def trends(
    session: Session,
    organisation_id: str,
    district: str | None,
    category: str | None,
    months: int,
) -> TrendsOut:
    """One figure month by month: a cell, a district's or a category's total, or the
    grand total, as each month's snapshot published it."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation")
    reference = service.reference_for(session, organisation_id)
    if district is not None and district not in reference.districts:
        raise Invalid("district", "no such district")
    if category is not None and category not in reference.categories:
        raise Invalid("category", "no such category")
    key = (district or TOTAL, category or TOTAL)
    snapshots = list(
        session.scalars(
            select(CoverageSnapshot)
            .where(CoverageSnapshot.municipality_id == organisation_id)
            .order_by(CoverageSnapshot.month.desc())
            .limit(months)
        )
    )[::-1]
    entries = {
        snapshot_id: (supply, demand)
        for snapshot_id, supply, demand in session.execute(
            select(
                CoverageSnapshotEntry.snapshot_id,
                CoverageSnapshotEntry.supply,
                CoverageSnapshotEntry.demand,
            ).where(
                CoverageSnapshotEntry.snapshot_id.in_([s.id for s in snapshots]),
                CoverageSnapshotEntry.district_code == key[0],
                CoverageSnapshotEntry.category_code == key[1],
            )
        )
    }
    points: list[TrendPoint] = []
    for snapshot in snapshots:
        supply, demand = entries.get(snapshot.id, (0, 0))
        before = points[-1] if points else None
        points.append(
            TrendPoint(
                month=snapshot.month,
                taken_at=snapshot.taken_at,
                organisations=snapshot.organisations,
                supply=supply,
                supply_suppressed=supply is None,
                demand=demand,
                demand_suppressed=demand is None,
                supply_change=_change(before.supply if before else None, supply),
                demand_change=_change(before.demand if before else None, demand),
            )
        )
    return TrendsOut(
        municipality=OrganisationRef(id=organisation.id, name=organisation.name),
        district_code=district,
        category_code=category,
        k=snapshots[-1].k if snapshots else None,
        points=points,
    )


def _change(before: int | None, now: int | None) -> int | None:
    return None if before is None or now is None else now - before
