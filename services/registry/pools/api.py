"""Routes for sharing pools. Reading needs any role except support_user; changes need admin."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.registry.pools import service
from services.registry.pools.schemas import InvitationIn, PoolIn, PoolOut
from shared.auth import Principal, require_roles
from shared.auth.deps import AdminDep
from shared.deps import SessionDep

router = APIRouter(prefix="/pools", tags=["pools"])

ReaderDep = Annotated[Principal, Depends(require_roles("admin", "staff", "coordinator"))]


@router.post("", response_model=PoolOut, status_code=201, summary="Create a sharing pool")
def create_pool(body: PoolIn, admin: AdminDep, session: SessionDep) -> PoolOut:
    pool = service.create_pool(session, admin, body.name)
    return service.pool_view(session, pool, service.ACTIVE)


@router.get(
    "", response_model=list[PoolOut], summary="Pools my organisation belongs or is invited to"
)
def list_pools(principal: ReaderDep, session: SessionDep) -> list[PoolOut]:
    return service.list_pools(session, principal)


@router.get("/{pool_id}", response_model=PoolOut)
def get_pool(pool_id: str, principal: ReaderDep, session: SessionDep) -> PoolOut:
    return service.get_pool(session, principal, pool_id)


@router.post("/{pool_id}/invitations", response_model=PoolOut, status_code=201)
def invite(pool_id: str, body: InvitationIn, admin: AdminDep, session: SessionDep) -> PoolOut:
    service.invite(session, admin, pool_id, body.organisation_id)
    return service.get_pool(session, admin, pool_id)


@router.post("/{pool_id}/accept", response_model=PoolOut, summary="Accept an invitation")
def accept(pool_id: str, admin: AdminDep, session: SessionDep) -> PoolOut:
    service.accept(session, admin, pool_id)
    return service.get_pool(session, admin, pool_id)


@router.post("/{pool_id}/leave", status_code=204, summary="Leave a pool or decline an invitation")
def leave(pool_id: str, admin: AdminDep, session: SessionDep) -> Response:
    service.leave(session, admin, pool_id)
    return Response(status_code=204)
