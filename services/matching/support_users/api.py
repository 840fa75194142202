"""Routes for support users and their consents."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.runtime import MatchingDep
from services.matching.support_users import service
from services.matching.support_users.schemas import (
    ConsentIn,
    ConsentRecordOut,
    ConsentState,
    SupportUserIn,
    SupportUserOut,
    SupportUserPatch,
)
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(prefix="/support-users", tags=["support users"])


@router.post("", response_model=SupportUserOut, status_code=201, summary="Add a support user")
def create(
    body: SupportUserIn, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> SupportUserOut:
    return service.create(session, matching, principal, body)


@router.get("", response_model=list[SupportUserOut], summary="The organisation's support users")
def list_support_users(
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
    status: Annotated[str, Query(pattern="^(active|ended|any)$")] = "active",
) -> list[SupportUserOut]:
    return service.list_for(session, matching, principal, status)


@router.get("/me", response_model=SupportUserOut, summary="The signed-in support user")
def me(principal: PrincipalDep, session: SessionDep, matching: MatchingDep) -> SupportUserOut:
    return service.view(session, matching, service.find_own_record(session, principal))


@router.get("/{support_user_id}", response_model=SupportUserOut, summary="One support user")
def get(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> SupportUserOut:
    return service.view(session, matching, service.find(session, principal, support_user_id))


@router.patch("/{support_user_id}", response_model=SupportUserOut, summary="Change a support user")
def update(
    support_user_id: str,
    body: SupportUserPatch,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> SupportUserOut:
    return service.update(session, matching, principal, support_user_id, body)


@router.post("/{support_user_id}/consents", response_model=ConsentState, summary="Record a consent")
def record_consent(
    support_user_id: str, body: ConsentIn, principal: PrincipalDep, session: SessionDep
) -> ConsentState:
    return service.record_consent(session, principal, support_user_id, body)


@router.get(
    "/{support_user_id}/consents",
    response_model=list[ConsentRecordOut],
    summary="The support user's consent history",
)
def consent_history(
    support_user_id: str, principal: PrincipalDep, session: SessionDep
) -> list[ConsentRecordOut]:
    return service.consent_history(session, principal, support_user_id)
