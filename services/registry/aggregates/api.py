"""Routes for planners' supply figures."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from services.registry.aggregates import service
from shared.auth import Principal, require_roles
from shared.deps import SessionDep

router = APIRouter(prefix="/aggregates", tags=["aggregates"])

PlannerDep = Annotated[Principal, Depends(require_roles("planner", "admin"))]


class CellOut(BaseModel):
    district_code: str
    category_code: str
    partners: int | None
    suppressed: bool


class SupplyOut(BaseModel):
    k: int
    cells: list[CellOut]


@router.get("/supply", response_model=SupplyOut, summary="Partners by district and category")
def supply(
    _: PlannerDep,
    session: SessionDep,
    k: Annotated[int, Query(ge=service.DEFAULT_K, le=100)] = service.DEFAULT_K,
) -> SupplyOut:
    cells = service.supply(session, k)
    return SupplyOut(k=k, cells=[CellOut(**vars(c)) for c in cells])
