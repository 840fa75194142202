"""Replaying the registry to the services that keep copies of it: every active partner's
`partner.upserted` (sealed for matching as usual) and the reference data, then
`partners.replayed`, after which matching drops partners that were not replayed. This is
the full rebuild of matching's resource index (``kortisto rebuild-matching-index``)."""

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.models import outbox
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.partners.service import publish_upserted
from services.registry.reference.events import publish_all
from services.registry.runtime import Registry
from shared.database import utcnow
from shared.events import publish


def replay(session: Session, registry: Registry, *, batch: int = 500) -> tuple[int, int]:
    """Returns (rebuild generation, partners replayed). The generation grows with time, so a
    later rebuild always supersedes an earlier one."""
    generation = time.time_ns() // 1000
    publish_all(session)
    replayed = 0
    query = (
        select(Partner)
        .where(Partner.status == PartnerStatus.active.value)
        .order_by(Partner.id)
        .execution_options(yield_per=batch)
    )
    for partner in session.scalars(query):
        publish_upserted(session, registry, partner, rebuild_generation=generation)
        replayed += 1
    publish(
        session,
        outbox,
        "partners.replayed",
        generation=generation,
        partners=replayed,
        changed_at=utcnow().isoformat(timespec="microseconds"),
    )
    return generation, replayed
