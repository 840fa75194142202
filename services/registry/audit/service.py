"""Recording and reading admin actions."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.audit.models import AuditEntry
from shared.auth import Principal


def record(
    session: Session,
    actor: Principal | str,
    organisation_id: str,
    action: str,
    target_kind: str,
    target_id: str,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            organisation_id=organisation_id,
            actor=actor if isinstance(actor, str) else f"{actor.kind}:{actor.subject}",
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            detail=detail,
        )
    )


def entries(session: Session, organisation_id: str, limit: int, offset: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))
