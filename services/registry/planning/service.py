"""Coverage for planners: supply (partners with `statistics` consent) against demand (open
wishes) by district × category over a municipality's scope, protected once per request
(``suppression.protect``), and everything else — per 1,000 inhabitants, neighbours' supply,
unmet demand, exports, the map — worked out from the published figures alone. A figure
that is not published never enters a calculation a planner sees."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from services.registry.aggregates.service import DEFAULT_K
from services.registry.consent.models import ConsentGrant
from services.registry.consent.service import grant_is_valid
from services.registry.identity.models import utcnow
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.planning import sharing
from services.registry.planning.models import DemandWish
from services.registry.planning.schemas import (
    GapLevel,
    GapOut,
    GapsOut,
    OrganisationRef,
    ScopeOut,
)
from services.registry.planning.suppression import TOTAL, Key, Published, protect
from services.registry.reference.defaults import uses_demo_set
from services.registry.reference.models import Category, District, DistrictNeighbour
from services.registry.reference.schemas import Language
from shared.database import elements
from shared.errors import Invalid

MAX_K = 100
# A partner covers its own district fully and each neighbouring district by this much.
NEIGHBOUR_WEIGHT = 0.5

# --- reference data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name_fi: str
    name_sv: str | None
    population: int | None
    geometry: str  # GeoJSON, WGS84

    def name(self, lang: Language) -> str:
        return (self.name_sv if lang == "sv" else None) or self.name_fi


@dataclass(frozen=True)
class Label:
    fi: str | None
    sv: str | None
    en: str | None

    def text(self, lang: Language, code: str) -> str:
        return getattr(self, lang) or self.fi or self.en or self.sv or code


@dataclass(frozen=True)
class Reference:
    """The districts (rows) and categories (columns) a view is drawn over: the defaults and
    the viewer's own, its own winning on a shared code, and the neighbours among them."""

    districts: dict[str, Area]
    categories: dict[str, Label]
    neighbours: dict[str, tuple[str, ...]]

    def population(self, district: str) -> int | None:
        """Inhabitants of a district, or of all of them (``TOTAL``) when every one is known."""
        if district == TOTAL:
            return self.total_population
        area = self.districts.get(district)
        return None if area is None else area.population

    @cached_property
    def total_population(self) -> int | None:
        known = [a.population for a in self.districts.values()]
        if not known or any(p is None for p in known):
            return None
        return sum(p for p in known if p is not None)


Row = TypeVar("Row", District, Category)


def _own_first(rows: Iterable[Row]) -> dict[str, Row]:
    """One row per code, sorted by code: the organisation's own where it has one."""
    chosen: dict[str, Row] = {}
    for row in rows:
        if row.code not in chosen or row.organisation_id is not None:
            chosen[row.code] = row
    return dict(sorted(chosen.items()))


def reference_for(session: Session, organisation_id: str) -> Reference:
    visible = or_(District.organisation_id.is_(None), District.organisation_id == organisation_id)
    districts = _own_first(session.scalars(select(District).where(visible)))
    categories = _own_first(
        session.scalars(
            select(Category).where(
                or_(Category.organisation_id.is_(None), Category.organisation_id == organisation_id)
            )
        )
    )
    ids = {d.id: code for code, d in districts.items()}
    other = aliased(District)
    pairs = session.execute(
        select(DistrictNeighbour.district_id, other.id)
        .join(other, other.id == DistrictNeighbour.neighbour_id)
        .where(DistrictNeighbour.district_id.in_(ids))
    ).all()
    neighbours: dict[str, set[str]] = {code: set() for code in districts}
    for district_id, neighbour_id in pairs:
        if neighbour_id in ids:
            neighbours[ids[district_id]].add(ids[neighbour_id])
    return Reference(
        districts={
            code: Area(d.code, d.name_fi, d.name_sv, d.population, d.geometry)
            for code, d in districts.items()
        },
        categories={
            code: Label(c.label_fi, c.label_sv, c.label_en) for code, c in categories.items()
        },
        neighbours={code: tuple(sorted(found)) for code, found in neighbours.items()},
    )


# --- counting ------------------------------------------------------------------------------


def statistics_consent(today: date) -> ColumnElement[bool]:
    """The partner counts in statistics today: the row's copy of its purposes decides while
    none of its grants has expired, the grants themselves after that (as search does)."""
    fresh = or_(Partner.purposes_expire_on.is_(None), Partner.purposes_expire_on >= today)
    cached = Partner.purposes.contains("|statistics|", autoescape=True)
    granted = exists(
        select(ConsentGrant.partner_id).where(
            ConsentGrant.partner_id == Partner.id,
            ConsentGrant.purpose == "statistics",
            grant_is_valid(today),
        )
    )
    return or_(and_(fresh, cached), and_(~fresh, granted))


def _listed(
    session: Session,
    district: InstrumentedAttribute[str | None],
    codes: InstrumentedAttribute[list[str]],
    conditions: list[ColumnElement[bool]],
) -> dict[Key, int]:
    """Rows counted by district × each code in their list."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # unnest() in the select list (a ProjectSet) is about a quarter faster here than
        # a lateral join to it, and this is most of a coverage request's time.
        listed = (
            select(district.label("district"), func.unnest(codes).label("code"))
            .where(*conditions)
            .subquery()
        )
        query = select(listed.c.district, listed.c.code, func.count()).group_by(
            listed.c.district, listed.c.code
        )
    else:
        each = elements(dialect, codes)
        query = (
            select(district, each.c.value, func.count())
            .join(each, true())
            .where(*conditions)
            .group_by(district, each.c.value)
        )
    return {(str(d), str(code)): int(n) for d, code, n in session.execute(query)}


def supply_counts(session: Session, organisation_ids: Iterable[str]) -> dict[Key, int]:
    """Active partners with `statistics` consent by district × category."""
    return _listed(
        session,
        Partner.district_code,
        Partner.category_codes,
        [
            Partner.organisation_id.in_(list(organisation_ids)),
            Partner.status == PartnerStatus.active.value,
            Partner.district_code.isnot(None),
            statistics_consent(date.today()),
        ],
    )


def demand_counts(session: Session, organisation_ids: Iterable[str]) -> dict[Key, int]:
    """Open wishes by the support user's district × the wish's category."""
    return _listed(
        session,
        DemandWish.district_code,
        DemandWish.category_codes,
        [
            DemandWish.organisation_id.in_(list(organisation_ids)),
            DemandWish.open.is_(True),
            DemandWish.district_code.isnot(None),
        ],
    )


# --- the protected tables ------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """One planning view: the scope, its reference data and the two published tables."""

    scope: sharing.Scope
    reference: Reference
    k: int
    supply: Published
    demand: Published
    computed_at: datetime

    @property
    def municipality(self) -> OrganisationRef:
        return OrganisationRef(id=self.scope.organisation_id, name=self.scope.name)


def check_k(k: int) -> None:
    if k < DEFAULT_K:
        raise Invalid("k", f"k cannot be lower than {DEFAULT_K}", code="k_too_low")
    if k > MAX_K:
        raise Invalid("k", f"k cannot be higher than {MAX_K}")


def protect_table(
    counts: Mapping[Key, int], rows: tuple[str, ...], columns: tuple[str, ...], k: int
) -> Published:
    """Protected at the default k, and at a larger k on top of that pattern, so that a
    larger k only ever hides more."""
    check_k(k)
    base = protect(counts, rows, columns, DEFAULT_K)
    return base if k == DEFAULT_K else protect(counts, rows, columns, k, also=base.suppressed)


def protect_coverage(
    reference: Reference, supply: Mapping[Key, int], demand: Mapping[Key, int], k: int
) -> tuple[Published, Published]:
    """Both tables over the reference's districts and the categories that occur in either;
    counts in districts or categories outside the reference are left out."""
    occurring = {c for _, c in supply} | {c for _, c in demand}
    columns = tuple(sorted(c for c in occurring if c in reference.categories))
    rows = tuple(reference.districts)
    return protect_table(supply, rows, columns, k), protect_table(demand, rows, columns, k)


def coverage(session: Session, organisation_id: str, k: int = DEFAULT_K) -> Coverage:
    check_k(k)
    scope = sharing.scope_of(session, organisation_id)
    reference = reference_for(session, organisation_id)
    supply, demand = protect_coverage(
        reference,
        supply_counts(session, scope.organisation_ids),
        demand_counts(session, scope.organisation_ids),
        k,
    )
    return Coverage(scope, reference, k, supply, demand, utcnow())


# --- figures from the published tables ----------------------------------------------------


def per_1000(value: float | None, population: int | None) -> float | None:
    if value is None or not population:
        return None
    return round(value * 1000 / population, 2)


def figures(cov: Coverage, district: str, category: str) -> dict[str, Any]:
    """The published figures of one entry, as ``schemas.Figures`` has them. Plain dicts:
    a view holds one per cell, thousands of them."""
    supply, demand = cov.supply.get(district, category), cov.demand.get(district, category)
    population = cov.reference.population(district)
    return {
        "supply": supply,
        "supply_suppressed": supply is None,
        "demand": demand,
        "demand_suppressed": demand is None,
        "population": population,
        "supply_per_1000": per_1000(supply, population),
        "demand_per_1000": per_1000(demand, population),
    }


@dataclass(frozen=True)
class Unmet:
    """Unmet demand of one entry, from published figures: a suppressed supply is left out
    (``partial``), so the unmet demand is then an upper bound."""

    demand: int | None
    supply: int | None
    neighbour_supply: int
    covered: float
    unmet: float | None
    partial: bool


def unmet(cov: Coverage, district: str, category: str) -> Unmet:
    """For a district (or all, ``TOTAL``) and a category (or all): neighbours count only
    for a single district; over all districts every partner is already inside."""
    own = cov.supply.get(district, category)
    around = (
        [cov.supply.get(n, category) for n in cov.reference.neighbours.get(district, ())]
        if district != TOTAL
        else []
    )
    neighbour_supply = sum(v for v in around if v is not None)
    covered = (own or 0) + NEIGHBOUR_WEIGHT * neighbour_supply
    demand = cov.demand.get(district, category)
    return Unmet(
        demand=demand,
        supply=own,
        neighbour_supply=neighbour_supply,
        covered=covered,
        unmet=None if demand is None else demand - covered,
        partial=own is None or any(v is None for v in around),
    )


def measures(cov: Coverage, district: str, category: str) -> dict[str, Any]:
    """Every figure of one entry, for the exports and the map."""
    shown = figures(cov, district, category)
    gap = unmet(cov, district, category)
    return {
        **shown,
        "neighbour_supply": None if district == TOTAL else gap.neighbour_supply,
        "covered": gap.covered,
        "unmet": gap.unmet,
        "unmet_per_1000": per_1000(gap.unmet, shown["population"]),
        "partial": gap.partial,
    }


def _cell_keys(cov: Coverage) -> list[Key]:
    keys = {key for table in (cov.supply, cov.demand) for key in table.entries if TOTAL not in key}
    return sorted(keys)


def _wanted(value: str, chosen: set[str] | None) -> bool:
    return chosen is None or value in chosen


def coverage_view(
    cov: Coverage,
    lang: Language,
    districts: set[str] | None = None,
    categories: set[str] | None = None,
) -> dict[str, Any]:
    """The whole published view, or a slice of it, shaped as ``schemas.CoverageOut``: a
    filter picks entries from the table protected as a whole, it never protects a smaller
    table."""
    ref = cov.reference
    return {
        "municipality": cov.municipality.model_dump(),
        "organisations": len(cov.scope.organisation_ids),
        "k": cov.k,
        "computed_at": cov.computed_at.isoformat(),
        "cells": [
            {"district_code": d, "category_code": c, **figures(cov, d, c)}
            for d, c in _cell_keys(cov)
            if _wanted(d, districts) and _wanted(c, categories)
        ],
        "districts": [
            {"code": d, "name": area.name(lang), **figures(cov, d, TOTAL)}
            for d, area in ref.districts.items()
            if _wanted(d, districts)
        ],
        "categories": [
            {"code": c, "label": ref.categories[c].text(lang, c), **figures(cov, TOTAL, c)}
            for c in cov.supply.columns
            if _wanted(c, categories)
        ],
        "total": figures(cov, TOTAL, TOTAL),
    }


def gap_entries(cov: Coverage, level: GapLevel) -> list[Key]:
    ref = cov.reference
    if level == GapLevel.district:
        return [(d, TOTAL) for d in ref.districts]
    if level == GapLevel.category:
        return [(TOTAL, c) for c in cov.demand.columns]
    return _cell_keys(cov)


def gaps(cov: Coverage, level: GapLevel, lang: Language, limit: int) -> GapsOut:
    """Entries with unmet demand, largest first (ties by code)."""
    ref = cov.reference
    found: list[GapOut] = []
    for district, category in gap_entries(cov, level):
        if not cov.demand.get(district, category):
            continue  # nothing wished, or suppressed: no published gap either way
        figure = unmet(cov, district, category)
        if figure.unmet is None or figure.demand is None or figure.unmet <= 0:
            continue
        population = ref.population(district)
        found.append(
            GapOut(
                district_code=None if district == TOTAL else district,
                district_name=None if district == TOTAL else ref.districts[district].name(lang),
                category_code=None if category == TOTAL else category,
                category_label=None
                if category == TOTAL
                else ref.categories[category].text(lang, category),
                demand=figure.demand,
                supply=figure.supply,
                neighbour_supply=figure.neighbour_supply,
                covered=figure.covered,
                unmet=figure.unmet,
                unmet_per_1000=per_1000(figure.unmet, population),
                partial=figure.partial,
                population=population,
            )
        )
    found.sort(key=lambda g: (-g.unmet, g.district_code or "", g.category_code or ""))
    return GapsOut(
        municipality=cov.municipality,
        k=cov.k,
        level=level,
        neighbour_weight=NEIGHBOUR_WEIGHT,
        computed_at=cov.computed_at,
        gaps=found[:limit],
    )


def scope_view(session: Session, organisation_id: str) -> ScopeOut:
    scope = sharing.scope_of(session, organisation_id)
    shares = sharing.shares_of(session, organisation_id)
    return ScopeOut(
        municipality=OrganisationRef(id=scope.organisation_id, name=scope.name),
        organisations=[
            OrganisationRef(id=scope.organisation_id, name=scope.name),
            *shares.shared_with_us,
        ],
        default_k=DEFAULT_K,
        neighbour_weight=NEIGHBOUR_WEIGHT,
        demo_reference=uses_demo_set(session),
    )
