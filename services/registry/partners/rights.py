"""Data-subject rights: everything held about a partner as one JSON document, and erasure
by crypto-shredding. Also the purge of pending partners whose time has passed."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.activities import service as activities
from services.registry.audit import service as audit
from services.registry.consent import service as consent
from services.registry.consent.models import ConsentGrant
from services.registry.consent.service import grant_is_valid
from services.registry.models import outbox
from services.registry.partners import service as partners
from services.registry.partners.models import Partner, PartnerKind, PartnerStatus
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.database import utcnow
from shared.errors import Forbidden
from shared.events import publish


def _may_act_for_subject(principal: Principal, partner: Partner) -> None:
    if not (principal.has_any("admin") or principal.user_id == partner.responsible_user_id):
        raise Forbidden("only an admin or the responsible staff member can do this")


def export_partner(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> dict[str, Any]:
    partner = partners.find_own(session, principal, partner_id)
    _may_act_for_subject(principal, partner)
    access.record(
        session, principal, [access.Access(partner.id, partner.organisation_id, "export", "owner")]
    )
    view = partners.partner_view(session, registry, principal, partner, "full")
    citizen = partner.kind == PartnerKind.citizen.value
    active = partner.status != PartnerStatus.pending.value
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "partner": view.model_dump(mode="json"),
        "activities": [
            a.model_dump(mode="json")
            for a in activities.activities(session, registry, principal, partner.id)
        ]
        if active
        else [],
        "contributions": [
            c.model_dump(mode="json")
            for c in activities.contributions(session, registry, principal, partner.id)
        ]
        if citizen and active
        else [],
        "consent_history": [
            r.model_dump(mode="json") for r in consent.history(session, registry.keyring, partner)
        ],
        "access_log": [
            {
                "at": e.at.isoformat(),
                "reader_organisation_id": e.reader_organisation_id,
                "action": e.action,
                "basis": e.basis,
            }
            for e in access.entries(
                session, partner.organisation_id, partner_id=partner.id, limit=10_000
            )
        ],
    }


def _erase(session: Session, registry: Registry, partner: Partner, actor: Principal | str) -> None:
    registry.keyring.shred_subject(session, partner.organisation_id, partner.id)
    audit.record(session, actor, partner.organisation_id, "partner.erased", "partner", partner.id)
    publish(
        session,
        outbox,
        "partner.forgotten",
        changed_at=utcnow().isoformat(timespec="microseconds"),
        partner_id=partner.id,
        organisation_id=partner.organisation_id,
    )
    session.delete(partner)
    session.flush()


def erase_partner(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> None:
    """Destroys the partner's data key (so every copy of its data, backups included, stays
    unreadable) and removes its rows. The access log keeps its entries: they hold ids only."""
    partner = partners.find_own(session, principal, partner_id)
    _may_act_for_subject(principal, partner)
    _erase(session, registry, partner, principal)


def end_expired_files(session: Session, registry: Registry, today: date | None = None) -> int:
    """Partners whose `file` consent expired become pending, as after a withdrawal."""
    held = (
        select(ConsentGrant.partner_id)
        .where(
            ConsentGrant.partner_id == Partner.id,
            ConsentGrant.purpose == consent.FILE,
            grant_is_valid(today or date.today()),
        )
        .exists()
    )
    lapsed = list(
        session.scalars(select(Partner).where(Partner.status != PartnerStatus.pending.value, ~held))
    )
    for partner in lapsed:
        partners.after_consent_change(session, registry, partner)
    return len(lapsed)


def purge_pending(
    session: Session, registry: Registry, today: date | None = None, partner_id: str | None = None
) -> int:
    """Erases pending partners whose time ran out (or just ``partner_id``, if it did)."""
    query = select(Partner).where(
        Partner.status == PartnerStatus.pending.value,
        Partner.purge_after < (today or date.today()),
    )
    if partner_id is not None:
        query = query.where(Partner.id == partner_id)
    due = list(session.scalars(query))
    for partner in due:
        _erase(session, registry, partner, "system:purge")
    return len(due)
