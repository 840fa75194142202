"""Who of the staff had contact with which partner, kept from `activity.logged` (ids, kind
and day only), and what a forgotten partner leaves behind in network maps: nothing."""

from datetime import date

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from services.matching.networks.models import Acquaintance, EcoMapMember, PartnerContact
from services.matching.runtime import Matching
from shared.events import Event


def apply_activity_logged(session: Session, matching: Matching, event: Event) -> None:
    """One row per activity: the same event applied again finds its row and changes
    nothing. Events without an activity id or day (older publishers) are not contacts."""
    payload = event.payload
    activity_id = payload.get("activity_id")
    occurred = payload.get("occurred_on")
    if not activity_id or not occurred or session.get(PartnerContact, activity_id) is not None:
        return
    session.add(
        PartnerContact(
            activity_id=activity_id,
            partner_id=payload["partner_id"],
            organisation_id=payload["organisation_id"],
            staff_user_id=payload.get("staff_user_id"),
            kind=payload.get("kind") or "contact",
            occurred_on=date.fromisoformat(occurred),
        )
    )
    session.flush()


def apply_partner_forgotten(session: Session, matching: Matching, event: Event) -> None:
    """A forgotten partner's contacts and acquaintances go; eco-maps keep the person as the
    support user told of them, without the link."""
    partner_id = event.payload["partner_id"]
    session.execute(delete(PartnerContact).where(PartnerContact.partner_id == partner_id))
    session.execute(
        delete(Acquaintance).where(
            or_(
                (Acquaintance.a_kind == "partner") & (Acquaintance.a_id == partner_id),
                (Acquaintance.b_kind == "partner") & (Acquaintance.b_id == partner_id),
            )
        )
    )
    session.execute(
        update(EcoMapMember).where(EcoMapMember.partner_id == partner_id).values(partner_id=None)
    )
