"""The staff side of reminders: due items (in-app notifications) with done and snooze,
delivery settings, the organisation's policy, and failed deliveries."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reminders.deliveries.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationStatus,
)
from services.reminders.deliveries.schemas import (
    DeliveryOut,
    DeliverySettings,
    NotificationOut,
    Policy,
)
from services.reminders.people.models import PartnerCopy, StaffMember
from services.reminders.people.service import partner_document, sync_digest
from services.reminders.runtime import Reminders
from services.reminders.schedules import service as schedules
from shared.auth import Principal
from shared.database import utcnow
from shared.errors import Invalid, NotFound


def _view(session: Session, reminders: Reminders, n: Notification) -> NotificationOut:
    document = (
        partner_document(session, reminders, n.subject_id)
        if n.kind != "referral_follow_up"
        else None
    )
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        subject_id=n.subject_id,
        subject_name=str((document or {}).get("name", "")),
        due_at=n.due_at,
        status=n.status,
        snoozed_until=n.snoozed_until,
    )


def notifications(
    session: Session, reminders: Reminders, principal: Principal, status: str
) -> list[NotificationOut]:
    now = utcnow()
    query = select(Notification).where(
        Notification.user_id == principal.subject,
        Notification.organisation_id == principal.organisation_id,
    )
    rows = list(session.scalars(query.order_by(Notification.due_at)))
    for n in rows:  # a snooze that has run out is open again
        if (
            n.status == NotificationStatus.snoozed.value
            and n.snoozed_until
            and n.snoozed_until <= now
        ):
            n.status = NotificationStatus.open.value
    if status != "all":
        rows = [n for n in rows if n.status == status]
    return [_view(session, reminders, n) for n in rows]


def _mine(session: Session, principal: Principal, notification_id: str) -> Notification:
    found = session.get(Notification, notification_id)
    if (
        found is None
        or found.user_id != principal.subject
        or found.organisation_id != principal.organisation_id
    ):
        raise NotFound("no such notification")
    return found


def mark_done(
    session: Session, reminders: Reminders, principal: Principal, notification_id: str
) -> NotificationOut:
    found = _mine(session, principal, notification_id)
    found.status = NotificationStatus.done.value
    found.snoozed_until = None
    return _view(session, reminders, found)


def snooze(
    session: Session, reminders: Reminders, principal: Principal, notification_id: str, days: int
) -> NotificationOut:
    found = _mine(session, principal, notification_id)
    if found.status == NotificationStatus.done.value:
        raise Invalid("status", "a done item cannot be snoozed")
    found.status = NotificationStatus.snoozed.value
    found.snoozed_until = utcnow() + timedelta(days=days)
    return _view(session, reminders, found)


def _staff(session: Session, principal: Principal) -> StaffMember:
    staff = session.get(StaffMember, (principal.subject, principal.organisation_id))
    if staff is None:
        staff = StaffMember(
            user_id=principal.subject,
            organisation_id=principal.organisation_id,
            roles=sorted(principal.roles),
        )
        session.add(staff)
        session.flush()
    return staff


def delivery_settings(session: Session, principal: Principal) -> DeliverySettings:
    staff = _staff(session, principal)
    return DeliverySettings(
        digest=staff.digest, digest_hour=staff.digest_hour, email_reminders=staff.email_reminders
    )


def change_delivery_settings(
    session: Session, principal: Principal, data: DeliverySettings
) -> DeliverySettings:
    staff = _staff(session, principal)
    staff.digest, staff.digest_hour, staff.email_reminders = (
        data.digest,
        data.digest_hour,
        data.email_reminders,
    )
    sync_digest(session, staff)
    return data


def read_policy(session: Session, principal: Principal) -> Policy:
    clock = schedules.policy(session, principal.organisation_id)
    return Policy(
        strong_months=clock.strong_months,
        weak_months=clock.weak_months,
        renewal_days=clock.renewal_days,
        stale_months=clock.stale_months,
        quiet_start=clock.quiet_start,
        quiet_end=clock.quiet_end,
    )


def change_policy(
    session: Session, reminders: Reminders, principal: Principal, data: Policy
) -> Policy:
    """New cadences apply to every partner of the organisation at once."""
    clock = schedules.policy(session, principal.organisation_id)
    for field, value in data.model_dump().items():
        setattr(clock, field, value)
    session.flush()
    partners = session.scalars(
        select(PartnerCopy).where(PartnerCopy.organisation_id == principal.organisation_id)
    )
    for partner in partners:
        document = partner_document(session, reminders, partner.partner_id) or {}
        schedules.sync_partner(session, partner, document)
    return data


def deliveries(
    session: Session, principal: Principal, status: str, limit: int
) -> list[DeliveryOut]:
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.organisation_id == principal.organisation_id, Delivery.status == status)
        .order_by(Delivery.due_at.desc())
        .limit(limit)
    )
    return [DeliveryOut.model_validate(d, from_attributes=True) for d in rows]


def retry(session: Session, principal: Principal, delivery_id: str) -> DeliveryOut:
    found = session.get(Delivery, delivery_id)
    if found is None or found.organisation_id != principal.organisation_id:
        raise NotFound("no such delivery")
    if found.status != DeliveryStatus.failed.value:
        raise Invalid("status", "only a failed delivery can be retried")
    found.status = DeliveryStatus.queued.value
    found.queued_at = utcnow()
    found.last_error = None
    session.flush()
    return DeliveryOut.model_validate(found, from_attributes=True)
