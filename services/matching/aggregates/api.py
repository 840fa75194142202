"""Routes for planners' demand figures."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from services.matching.aggregates import service
from shared.auth import Principal, require_roles
from shared.deps import SessionDep

router = APIRouter(prefix="/aggregates", tags=["aggregates"])

PlannerDep = Annotated[Principal, Depends(require_roles("planner", "admin"))]


class CellOut(BaseModel):
    district_code: str
    category_code: str
    wishes: int | None
    suppressed: bool


class DemandOut(BaseModel):
    k: int
    cells: list[CellOut]


@router.get("/demand", response_model=DemandOut, summary="Open wishes by district and category")
def demand(
    _: PlannerDep,
    session: SessionDep,
    k: Annotated[int, Query(ge=service.DEFAULT_K, le=100)] = service.DEFAULT_K,
) -> DemandOut:
    return DemandOut(k=k, cells=[CellOut(**vars(c)) for c in service.demand(session, k)])
