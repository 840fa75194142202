"""Applying registry and matching events to reminders' copies of staff members and partners,
and the schedules that follow from them."""

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.reminders.newsletters import audience as newsletter_audience
from services.reminders.people.models import PartnerCopy, StaffMember
from services.reminders.runtime import Reminders
from services.reminders.schedules import service as schedules
from services.reminders.schedules.clock import at_local
from services.reminders.schedules.models import ScheduleKind
from shared.crypto import open_from
from shared.crypto.documents import open_document, seal_document
from shared.database import utcnow
from shared.events import Event
from shared.local_time import today_in


def _row_id(user_id: str, organisation_id: str) -> str:
    return f"{organisation_id}:{user_id}"


def apply_membership_changed(session: Session, reminders: Reminders, event: Event) -> None:
    payload = event.payload
    key = (payload["user_id"], payload["organisation_id"])
    staff = session.get(StaffMember, key)
    if not payload["roles"]:  # left the organisation
        if staff is not None:
            session.delete(staff)
        schedules.sync(session, key[1], (ScheduleKind.digest.value,), _digest_subject(*key), [])
        return
    if staff is None:
        staff = StaffMember(user_id=key[0], organisation_id=key[1])
        session.add(staff)
    staff.roles = list(payload["roles"])
    if "sealed" in payload:
        contact = open_from(reminders.keyring.provider, "reminders", key[0], payload["sealed"])
        staff.contact_encrypted = seal_document(
            reminders.keyring,
            session,
            organisation_id=key[1],
            subject_id=key[0],
            table="staff_members",
            row_id=_row_id(*key),
            document=contact,
        )
    session.flush()


def staff_contact(
    session: Session, reminders: Reminders, user_id: str, organisation_id: str
) -> dict[str, Any] | None:
    staff = session.get(StaffMember, (user_id, organisation_id))
    if staff is None or staff.contact_encrypted is None:
        return None
    contact: dict[str, Any] = open_document(
        reminders.keyring,
        session,
        "staff_members",
        _row_id(user_id, organisation_id),
        staff.contact_encrypted,
    )
    return contact


def _digest_subject(user_id: str, organisation_id: str) -> str:
    return f"{user_id}:{organisation_id}"


def sync_digest(session: Session, staff: StaffMember) -> None:
    """A daily digest schedule while the staff member wants one."""
    clock = schedules.policy(session, staff.organisation_id)
    wanted = []
    if staff.digest:
        today = today_in(clock.timezone)
        first = at_local(today, clock.timezone, time(staff.digest_hour))
        if first <= utcnow():
            first = at_local(today + timedelta(days=1), clock.timezone, time(staff.digest_hour))
        subject = _digest_subject(staff.user_id, staff.organisation_id)
        rule = {"every_days": 1}
        wanted.append(schedules.Wanted(ScheduleKind.digest, subject, first, staff.user_id, rule))
    schedules.sync(
        session,
        staff.organisation_id,
        (ScheduleKind.digest.value,),
        _digest_subject(staff.user_id, staff.organisation_id),
        wanted,
    )


def apply_partner_upserted(session: Session, reminders: Reminders, event: Event) -> None:
    payload = event.payload
    partner_id = payload["partner_id"]
    partner = session.get(PartnerCopy, partner_id)
    if partner is not None and payload["changed_at"] <= partner.event_at:
        return  # an older state arriving late
    document = open_from(
        reminders.keyring.provider, "reminders", partner_id, payload["sealed_reminders"]
    )
    if partner is None:
        partner = PartnerCopy(partner_id=partner_id, document_encrypted=b"")
        session.add(partner)
    partner.organisation_id = payload["organisation_id"]
    partner.kind = payload["kind"]
    partner.status = payload["status"]
    partner.responsible_user_id = payload.get("responsible_user_id")
    partner.tie_strength = payload["tie_strength"]
    partner.last_contact_on = _date(payload.get("last_contact_on"))
    partner.card_updated_on = _date(payload.get("card_updated_on"))
    partner.purge_after = _date(payload.get("purge_after"))
    partner.purposes = "|" + "".join(f"{p}|" for p in payload["purposes"])
    partner.valid_until = dict(payload.get("valid_until") or {})
    partner.event_at = payload["changed_at"]
    partner.document_encrypted = seal_document(
        reminders.keyring,
        session,
        organisation_id=partner.organisation_id,
        subject_id=partner_id,
        table="partners",
        row_id=partner_id,
        document=document,
    )
    session.flush()
    schedules.sync_partner(session, partner, document)
    newsletter_audience.after_partner_changed(session, partner_id, document)


def partner_document(
    session: Session, reminders: Reminders, partner_id: str
) -> dict[str, Any] | None:
    partner = session.get(PartnerCopy, partner_id)
    if partner is None:
        return None
    document: dict[str, Any] = open_document(
        reminders.keyring, session, "partners", partner_id, partner.document_encrypted
    )
    return document


def apply_partner_forgotten(session: Session, reminders: Reminders, event: Event) -> None:
    """Every schedule and unsent delivery ends, the copy goes, and its key is destroyed."""
    partner_id = event.payload["partner_id"]
    schedules.cancel_subject(session, partner_id)
    session.execute(delete(PartnerCopy).where(PartnerCopy.partner_id == partner_id))
    reminders.keyring.shred_subject(session, event.payload["organisation_id"], partner_id)


def apply_activity_logged(session: Session, reminders: Reminders, event: Event) -> None:
    """Any activity resets the partner's upkeep: the next contact is due a cadence later."""
    partner = session.get(PartnerCopy, event.payload["partner_id"])
    contact = _date(event.payload.get("last_contact_on"))
    if partner is None or contact is None:
        return
    if partner.last_contact_on is None or contact > partner.last_contact_on:
        partner.last_contact_on = contact
        document = partner_document(session, reminders, partner.partner_id) or {}
        schedules.sync_partner(session, partner, document)


def apply_referral_changed(session: Session, reminders: Reminders, event: Event) -> None:
    """A referral's follow-up date becomes a reminder to the staff member who took the step;
    a closed referral needs none."""
    payload = event.payload
    wanted = []
    follow_up = _date(payload.get("follow_up_on"))
    if follow_up and payload["status"] not in ("declined", "ended"):
        clock = schedules.policy(session, payload["organisation_id"])
        wanted.append(
            schedules.Wanted(
                ScheduleKind.referral_follow_up.value,
                payload["referral_id"],
                at_local(follow_up, clock.timezone),
                payload.get("staff_user_id"),
                # where the staff member finds the referral (an id, as the event carries it)
                {"support_user_id": payload["support_user_id"]}
                if payload.get("support_user_id")
                else {},
            )
        )
    schedules.sync(
        session,
        payload["organisation_id"],
        (ScheduleKind.referral_follow_up.value,),
        payload["referral_id"],
        wanted,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
