"""Routes for referrals."""

from fastapi import APIRouter

from services.matching.referrals import service
from services.matching.referrals.schemas import (
    ReferralIn,
    ReferralOut,
    ReferralStepIn,
    SharedDetails,
)
from services.matching.runtime import MatchingDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(tags=["referrals"])


@router.post(
    "/referrals", response_model=ReferralOut, status_code=201, summary="Propose a referral"
)
def create(
    body: ReferralIn, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> ReferralOut:
    return service.create(session, matching, principal, body)


@router.post(
    "/referrals/{referral_id}/steps", response_model=ReferralOut, summary="Record the next step"
)
def advance(
    referral_id: str,
    body: ReferralStepIn,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> ReferralOut:
    return service.advance(session, matching, principal, referral_id, body)


@router.get(
    "/referrals/{referral_id}/shared-details",
    response_model=SharedDetails,
    summary="The support user's details for the partner (only with their consent)",
)
def shared_details(
    referral_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> SharedDetails:
    return service.shared_details(session, matching, principal, referral_id)


@router.get(
    "/support-users/{support_user_id}/referrals",
    response_model=list[ReferralOut],
    summary="The support user's referrals",
)
def referrals_of(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> list[ReferralOut]:
    return service.referrals_of(session, matching, principal, support_user_id)
