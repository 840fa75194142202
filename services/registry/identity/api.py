"""Routes for the caller, their organisation and its members."""

from fastapi import APIRouter, Query, Response

from services.registry.identity import service
from services.registry.identity.models import OrganisationKind, User
from services.registry.identity.schemas import (
    MeOut,
    OrganisationOut,
    OrganisationPatch,
    PasswordChange,
    RolesIn,
    UserIn,
    UserOut,
)
from services.registry.runtime import RegistryDep
from shared.auth import PrincipalDep
from shared.auth.deps import AdminDep
from shared.deps import SessionDep
from shared.errors import Forbidden, NotFound

router = APIRouter(tags=["identity"])


@router.get("/me", response_model=MeOut, summary="The logged-in user and their organisation")
def me(principal: PrincipalDep, session: SessionDep, registry: RegistryDep) -> MeOut:
    if principal.user_id is None:
        raise Forbidden("an integration has no user profile")
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("no such user")
    memberships = service.memberships_of(session, user.id)
    current = next(
        (m for m, _ in memberships if m.organisation_id == principal.organisation_id), None
    )
    if current is None:
        raise Forbidden("the membership has ended")
    return MeOut(
        user=service.user_view(session, registry.keyring, user, current.roles),
        organisation=OrganisationOut.model_validate(
            service.get_organisation(session, principal.organisation_id)
        ),
        roles=current.roles,
        memberships=[OrganisationOut.model_validate(o) for _, o in memberships],
    )


@router.post("/me/password", status_code=204, summary="Change my password")
def change_password(
    body: PasswordChange, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> Response:
    if principal.user_id is None:
        raise Forbidden("an integration has no password")
    service.change_password(
        session, registry.passwords, principal.user_id, body.current_password, body.new_password
    )
    return Response(status_code=204)


@router.get(
    "/organisations", response_model=list[OrganisationOut], summary="Directory of organisations"
)
def list_organisations(
    _: PrincipalDep, session: SessionDep, kind: OrganisationKind | None = Query(None)
) -> list[OrganisationOut]:
    found = service.list_organisations(session, kind.value if kind else None)
    return [OrganisationOut.model_validate(o) for o in found]


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(organisation_id: str, _: PrincipalDep, session: SessionDep) -> OrganisationOut:
    return OrganisationOut.model_validate(service.get_organisation(session, organisation_id))


@router.patch("/organisations/{organisation_id}", response_model=OrganisationOut, tags=["admin"])
def update_organisation(
    organisation_id: str, body: OrganisationPatch, admin: AdminDep, session: SessionDep
) -> OrganisationOut:
    return OrganisationOut.model_validate(
        service.update_organisation(session, admin, organisation_id, body)
    )


@router.get("/users", response_model=list[UserOut], summary="Members of my organisation")
def list_users(
    principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> list[UserOut]:
    if not principal.has_any("admin", "staff", "coordinator"):
        raise Forbidden("this needs one of the roles: admin, staff, coordinator")
    return service.list_members(session, registry.keyring, principal.organisation_id)


@router.post("/users", response_model=UserOut, status_code=201, tags=["admin"])
def create_user(
    body: UserIn, admin: AdminDep, session: SessionDep, registry: RegistryDep
) -> UserOut:
    user = service.create_user(session, registry, admin.organisation_id, body, admin)
    return service.user_view(session, registry.keyring, user, body.roles)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(
    user_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> UserOut:
    if user_id != principal.user_id and not principal.has_any("admin", "staff", "coordinator"):
        raise Forbidden("this needs one of the roles: admin, staff, coordinator")
    return service.get_member(session, registry.keyring, principal.organisation_id, user_id)


@router.put("/users/{user_id}/roles", response_model=UserOut, tags=["admin"])
def set_roles(
    user_id: str, body: RolesIn, admin: AdminDep, session: SessionDep, registry: RegistryDep
) -> UserOut:
    service.set_roles(session, admin, user_id, body.roles)
    return service.get_member(session, registry.keyring, admin.organisation_id, user_id)


@router.delete("/users/{user_id}", status_code=204, tags=["admin"])
def remove_user(user_id: str, admin: AdminDep, session: SessionDep) -> Response:
    service.remove_member(session, admin, user_id)
    return Response(status_code=204)
