"""Routes for districts and categories. Any logged-in role reads; admins add their own."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from services.registry.reference import service
from services.registry.reference.schemas import (
    CategoryDetail,
    CategoryIn,
    CategoryOut,
    DistrictDetail,
    DistrictImportOptions,
    DistrictImportOut,
    DistrictOut,
    Language,
)
from shared.auth import PrincipalDep
from shared.auth.deps import AdminDep
from shared.deps import SessionDep

router = APIRouter(tags=["reference"])


@router.get("/districts", response_model=list[DistrictOut], summary="Districts I can use")
def list_districts(principal: PrincipalDep, session: SessionDep) -> list[DistrictOut]:
    found = service.list_districts(session, principal.organisation_id)
    return [DistrictOut.model_validate(d) for d in found]


@router.get(
    "/districts.geojson",
    summary="Districts as a GeoJSON FeatureCollection in WGS84, for maps",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def districts_geojson(principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    collection = service.districts_geojson(session, principal.organisation_id)
    return JSONResponse(collection, media_type="application/geo+json")


@router.get("/districts/{code}", response_model=DistrictDetail)
def get_district(code: str, principal: PrincipalDep, session: SessionDep) -> DistrictDetail:
    return service.district_view(session, principal.organisation_id, code)


@router.post(
    "/districts/import",
    response_model=DistrictImportOut,
    tags=["admin"],
    summary="Add or update my organisation's own districts from a GeoJSON FeatureCollection",
)
def import_districts(
    admin: AdminDep,
    session: SessionDep,
    options: Annotated[DistrictImportOptions, Query()],
    collection: Annotated[
        dict[str, Any], Body(description="a FeatureCollection of Polygons or MultiPolygons")
    ],
) -> DistrictImportOut:
    return service.import_districts(session, admin, collection, options)


@router.get("/categories", response_model=list[CategoryOut], summary="Search categories")
def search_categories(
    principal: PrincipalDep,
    session: SessionDep,
    q: str | None = Query(None, max_length=200, description="words in the label"),
    lang: Language | None = Query(None, description="search and show this language only"),
) -> list[CategoryOut]:
    return service.search_categories(session, principal.organisation_id, q, lang)


@router.get("/categories/{code}", response_model=CategoryDetail)
def get_category(
    code: str, principal: PrincipalDep, session: SessionDep, lang: Language = Query("fi")
) -> CategoryDetail:
    return service.get_category(session, principal.organisation_id, code, lang)


@router.post("/categories", response_model=CategoryOut, status_code=201, tags=["admin"])
def create_category(body: CategoryIn, admin: AdminDep, session: SessionDep) -> CategoryOut:
    return service.category_view(service.create_category(session, admin, body))
