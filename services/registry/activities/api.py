"""Routes for a partner's activity log and contributions."""

from fastapi import APIRouter

from services.registry.activities import service
from services.registry.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ContributionIn,
    ContributionOut,
)
from services.registry.runtime import RegistryDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(prefix="/partners/{partner_id}", tags=["activities"])


@router.post(
    "/activities", response_model=ActivityOut, status_code=201, summary="Log what we did together"
)
def log_activity(
    partner_id: str,
    body: ActivityIn,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> ActivityOut:
    return service.log_activity(session, registry, principal, partner_id, body)


@router.get("/activities", response_model=list[ActivityOut])
def activities(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> list[ActivityOut]:
    return service.activities(session, registry, principal, partner_id)


@router.post("/contributions", response_model=ContributionOut, status_code=201)
def add_contribution(
    partner_id: str,
    body: ContributionIn,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> ContributionOut:
    return service.add_contribution(session, registry, principal, partner_id, body)


@router.get("/contributions", response_model=list[ContributionOut])
def contributions(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> list[ContributionOut]:
    return service.contributions(session, registry, principal, partner_id)
