"""Routes for wishes, the resource check and suggestions for a wish."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.matching.runtime import MatchingDep
from services.matching.suggestions import service as suggestions
from services.matching.suggestions.schemas import SuggestionsOut
from services.matching.wishes import service
from services.matching.wishes.schemas import (
    ResourceCheckItemIn,
    ResourceCheckItemOut,
    WishIn,
    WishOut,
    WishPatch,
)
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(tags=["wishes"])


@router.post(
    "/support-users/{support_user_id}/wishes",
    response_model=WishOut,
    status_code=201,
    summary="Add a wish in the person's own words",
)
def add_wish(
    support_user_id: str,
    body: WishIn,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> WishOut:
    return service.add_wish(session, matching, principal, support_user_id, body)


@router.get(
    "/support-users/{support_user_id}/wishes",
    response_model=list[WishOut],
    summary="The support user's wishes",
)
def wishes_of(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> list[WishOut]:
    return service.wishes_of(session, matching, principal, support_user_id)


@router.get("/wishes/{wish_id}", response_model=WishOut, summary="One wish")
def get_wish(
    wish_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> WishOut:
    return service.view(session, matching, service.find_wish(session, principal, wish_id)[1])


@router.patch("/wishes/{wish_id}", response_model=WishOut, summary="Change a wish or its status")
def update_wish(
    wish_id: str,
    body: WishPatch,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> WishOut:
    return service.update_wish(session, matching, principal, wish_id, body)


@router.get(
    "/wishes/{wish_id}/suggestions",
    response_model=SuggestionsOut,
    summary="Community resources for the wish, with reasons",
)
def suggest(
    wish_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SuggestionsOut:
    return suggestions.suggest(session, matching, principal, wish_id, limit)


@router.post(
    "/support-users/{support_user_id}/resource-check",
    response_model=ResourceCheckItemOut,
    status_code=201,
    summary="Add what the person brings: a strength, skill, possession, relationship…",
)
def add_check_item(
    support_user_id: str,
    body: ResourceCheckItemIn,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> ResourceCheckItemOut:
    return service.add_check_item(session, matching, principal, support_user_id, body)


@router.get(
    "/support-users/{support_user_id}/resource-check",
    response_model=list[ResourceCheckItemOut],
    summary="The person's resource check",
)
def resource_check(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> list[ResourceCheckItemOut]:
    return service.resource_check(session, matching, principal, support_user_id)


@router.delete(
    "/support-users/{support_user_id}/resource-check/{item_id}",
    status_code=204,
    summary="Remove an item of the resource check",
)
def remove_check_item(
    support_user_id: str, item_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    service.remove_check_item(session, principal, support_user_id, item_id)
    return Response(status_code=204)
