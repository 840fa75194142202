"""Routes for district knowledge notes and district exploration assignments."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.registry.districts import service
from services.registry.districts.schemas import (
    AssignmentIn,
    CoverageOut,
    DistrictCoverage,
    KnowledgeNoteIn,
    KnowledgeNoteOut,
    KnowledgeNotePage,
)
from services.registry.runtime import RegistryDep
from shared.auth import Principal, require_roles
from shared.deps import SessionDep

router = APIRouter(tags=["districts"])

TeamDep = Annotated[Principal, Depends(require_roles("admin", "staff", "coordinator"))]
LeadDep = Annotated[Principal, Depends(require_roles("admin", "coordinator"))]


@router.post(
    "/district-notes",
    response_model=KnowledgeNoteOut,
    status_code=201,
    summary="Note what was heard in a district today",
)
def record_note(
    body: KnowledgeNoteIn, principal: TeamDep, session: SessionDep, registry: RegistryDep
) -> KnowledgeNoteOut:
    note = service.record_note(session, registry.keyring, principal, body)
    return service.note_view(session, registry.keyring, note)


@router.get("/district-notes", response_model=KnowledgeNotePage, summary="Notes, newest first")
def list_notes(
    principal: TeamDep,
    session: SessionDep,
    registry: RegistryDep,
    district: str | None = Query(None, max_length=16),
    since: date | None = Query(None, description="noted on or after this day"),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
) -> KnowledgeNotePage:
    return service.list_notes(
        session,
        registry.keyring,
        principal,
        district=district,
        since=since,
        page=page,
        page_size=page_size,
    )


@router.delete("/district-notes/{note_id}", status_code=204, summary="Delete a note")
def delete_note(note_id: str, principal: TeamDep, session: SessionDep) -> Response:
    service.delete_note(session, principal, note_id)
    return Response(status_code=204)


@router.put(
    "/district-assignments/{district_code}",
    response_model=DistrictCoverage,
    summary="Set who explores a district",
)
def set_assignments(
    district_code: str,
    body: AssignmentIn,
    principal: LeadDep,
    session: SessionDep,
    registry: RegistryDep,
) -> DistrictCoverage:
    return service.set_assignments(
        session, registry.keyring, principal, district_code, body.user_ids
    )


@router.get(
    "/district-assignments",
    response_model=CoverageOut,
    summary="Who covers which district, with partner and note counts",
)
def coverage(principal: TeamDep, session: SessionDep, registry: RegistryDep) -> CoverageOut:
    return service.coverage(session, registry.keyring, principal)
