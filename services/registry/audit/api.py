"""The audit log, for the organisation's admins."""

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.registry.audit import service
from shared.auth.deps import AdminDep
from shared.deps import SessionDep

router = APIRouter(tags=["admin"])


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    at: datetime
    actor: str
    action: str
    target_kind: str
    target_id: str
    detail: dict[str, object]


@router.get("/audit-log", response_model=list[AuditEntryOut], summary="Admin actions, newest first")
def audit_log(
    admin: AdminDep,
    session: SessionDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AuditEntryOut]:
    found = service.entries(session, admin.organisation_id, limit, offset)
    return [AuditEntryOut.model_validate(entry) for entry in found]
