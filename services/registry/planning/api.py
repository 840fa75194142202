"""Routes for planners: coverage, gaps and trends as JSON, CSV, GeoJSON and an SVG map;
and for admins, which municipalities their organisation shares statistics with.

Every planning view is one protected table of the planner's scope, or a slice of it. A
query parameter a route does not take is refused rather than ignored, so that nobody is
left thinking a figure was narrowed to one organisation or one partner."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from services.registry.aggregates.service import DEFAULT_K
from services.registry.planning import exports, service, sharing, snapshots
from services.registry.planning.schemas import (
    CoverageOut,
    GapLevel,
    GapsOut,
    Measure,
    ScopeOut,
    SharesOut,
    TrendsOut,
)
from services.registry.planning.service import MAX_K, Coverage
from services.registry.reference.schemas import Language
from shared.auth import Principal, require_roles
from shared.auth.deps import AdminDep
from shared.deps import SessionDep
from shared.errors import Invalid


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_parameters_only(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)
    for name in request.query_params:
        if name not in known:
            raise Invalid(
                name,
                f"this view takes no parameter {name!r}: planning figures cover the whole "
                "scope and are never narrowed to an organisation or a person",
                code="unknown_parameter",
            )


router = APIRouter(
    prefix="/planning", tags=["planning"], dependencies=[Depends(known_parameters_only)]
)

PlannerDep = Annotated[Principal, Depends(require_roles("planner", "admin"))]
KQuery = Annotated[
    int,
    Query(ge=DEFAULT_K, le=MAX_K, description=f"suppress below k; {DEFAULT_K} at least"),
]
LangQuery = Annotated[Language, Query(description="language of names and labels")]
CategoryQuery = Annotated[
    str | None, Query(max_length=32, description="one category; all when left out")
]


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _category(cov: Coverage, category: str | None) -> str | None:
    if category is not None and category not in cov.reference.categories:
        raise Invalid("category", "no such category")
    return category


def _codes(chosen: list[str] | None, known: dict[str, object], field: str) -> set[str] | None:
    if not chosen:
        return None
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise Invalid(field, f"unknown: {', '.join(unknown)}")
    return set(chosen)


@router.get("/scope", response_model=ScopeOut, summary="Whose figures my planning view counts")
def scope(principal: PlannerDep, session: SessionDep) -> ScopeOut:
    return service.scope_view(session, principal.organisation_id)


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="Supply against demand by district × category, with totals",
)
def coverage(
    principal: PlannerDep,
    session: SessionDep,
    k: KQuery = DEFAULT_K,
    district: Annotated[list[str] | None, Query(description="only these districts")] = None,
    category: Annotated[list[str] | None, Query(description="only these categories")] = None,
    lang: LangQuery = "fi",
) -> JSONResponse:
    cov = service.coverage(session, principal.organisation_id, k)
    view = service.coverage_view(
        cov,
        lang,
        _codes(district, dict(cov.reference.districts), "district"),
        _codes(category, dict(cov.reference.categories), "category"),
    )
    # Shaped as CoverageOut by the service; sent as it is, since thousands of cells would
    # otherwise be validated and serialised twice on the way out.
    return JSONResponse(view)


@router.get(
    "/coverage.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Coverage as CSV: the total, each category, each district, each cell",
)
def coverage_csv(
    principal: PlannerDep, session: SessionDep, k: KQuery = DEFAULT_K, lang: LangQuery = "fi"
) -> Response:
    cov = service.coverage(session, principal.organisation_id, k)
    return Response(
        exports.coverage_csv(cov, lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("coverage.csv"),
    )


@router.get(
    "/coverage.geojson",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
    summary="Coverage by district as a GeoJSON FeatureCollection (WGS84)",
)
def coverage_geojson(
    principal: PlannerDep,
    session: SessionDep,
    k: KQuery = DEFAULT_K,
    category: CategoryQuery = None,
    lang: LangQuery = "fi",
) -> JSONResponse:
    cov = service.coverage(session, principal.organisation_id, k)
    collection = exports.coverage_geojson(cov, _category(cov, category), lang)
    return JSONResponse(
        collection, media_type="application/geo+json", headers=_attachment("coverage.geojson")
    )


@router.get(
    "/map.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
    summary="The district map coloured by one measure",
)
def coverage_map(
    principal: PlannerDep,
    session: SessionDep,
    k: KQuery = DEFAULT_K,
    category: CategoryQuery = None,
    measure: Measure = Measure.unmet,
    lang: LangQuery = "fi",
) -> Response:
    cov = service.coverage(session, principal.organisation_id, k)
    drawn = exports.coverage_svg(cov, _category(cov, category), measure, lang)
    return Response(drawn, media_type="image/svg+xml")


@router.get("/gaps", response_model=GapsOut, summary="Unmet demand, largest first")
def gaps(
    principal: PlannerDep,
    session: SessionDep,
    k: KQuery = DEFAULT_K,
    level: GapLevel = GapLevel.cell,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    lang: LangQuery = "fi",
) -> GapsOut:
    cov = service.coverage(session, principal.organisation_id, k)
    return service.gaps(cov, level, lang, limit)


@router.get(
    "/gaps.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Unmet demand as CSV",
)
def gaps_csv(
    principal: PlannerDep,
    session: SessionDep,
    k: KQuery = DEFAULT_K,
    level: GapLevel = GapLevel.cell,
    limit: Annotated[int, Query(ge=1, le=5000)] = 5000,
    lang: LangQuery = "fi",
) -> Response:
    cov = service.coverage(session, principal.organisation_id, k)
    return Response(
        exports.gaps_csv(service.gaps(cov, level, lang, limit), lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("gaps.csv"),
    )


TrendDistrict = Annotated[str | None, Query(max_length=16, description="one district")]
Months = Annotated[int, Query(ge=1, le=120, description="the latest this many months")]


@router.get(
    "/trends",
    response_model=TrendsOut,
    summary="One figure month by month, from the monthly snapshots",
)
def trends(
    principal: PlannerDep,
    session: SessionDep,
    district: TrendDistrict = None,
    category: CategoryQuery = None,
    months: Months = 24,
) -> TrendsOut:
    return snapshots.trends(session, principal.organisation_id, district, category, months)


@router.get(
    "/trends.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Trends as CSV",
)
def trends_csv(
    principal: PlannerDep,
    session: SessionDep,
    district: TrendDistrict = None,
    category: CategoryQuery = None,
    months: Months = 24,
    lang: LangQuery = "fi",
) -> Response:
    found = snapshots.trends(session, principal.organisation_id, district, category, months)
    return Response(
        exports.trends_csv(found, lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("trends.csv"),
    )


@router.get(
    "/shares",
    response_model=SharesOut,
    tags=["admin"],
    summary="Municipalities we share statistics with, and who shares with us",
)
def shares(admin: AdminDep, session: SessionDep) -> SharesOut:
    return sharing.shares_of(session, admin.organisation_id)


@router.put(
    "/shares/{municipality_id}",
    response_model=SharesOut,
    tags=["admin"],
    summary="Count our partners and wishes into a municipality's planning figures",
)
def start_sharing(municipality_id: str, admin: AdminDep, session: SessionDep) -> SharesOut:
    return sharing.start(session, admin, municipality_id)


@router.delete(
    "/shares/{municipality_id}",
    response_model=SharesOut,
    tags=["admin"],
    summary="Stop counting into a municipality's planning figures",
)
def stop_sharing(municipality_id: str, admin: AdminDep, session: SessionDep) -> SharesOut:
    return sharing.stop(session, admin, municipality_id)
