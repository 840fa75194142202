"""Routes for the owner's access log and its verification."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.registry.access import service
from shared.auth import PrincipalDep
from shared.auth.deps import AdminDep
from shared.deps import SessionDep
from shared.errors import Forbidden

router = APIRouter(prefix="/access-log", tags=["access log"])


class AccessEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    partner_id: str
    reader_organisation_id: str
    reader: str
    action: str
    basis: str
    hash: str


class VerificationOut(BaseModel):
    entries: int
    valid: bool
    first_broken_seq: int | None
    problem: str


@router.get(
    "", response_model=list[AccessEntryOut], summary="Reads of our partners by others, and exports"
)
def entries(
    principal: PrincipalDep,
    session: SessionDep,
    partner_id: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AccessEntryOut]:
    if not principal.has_any("admin", "staff", "coordinator"):
        raise Forbidden("the access log is for admins, staff and coordinators")
    found = service.entries(
        session, principal.organisation_id, partner_id=partner_id, limit=limit, offset=offset
    )
    return [AccessEntryOut.model_validate(e) for e in found]


@router.get("/verify", response_model=VerificationOut, summary="Check the hash chain is unbroken")
def verify(admin: AdminDep, session: SessionDep) -> VerificationOut:
    result = service.verify(session, admin.organisation_id)
    return VerificationOut(
        entries=result.entries,
        valid=result.valid,
        first_broken_seq=result.first_broken_seq,
        problem=result.problem,
    )
