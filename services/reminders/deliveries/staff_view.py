"""The staff side of reminders: due items (in-app notifications) with done and snooze,
delivery settings, the organisation's policy, and failed deliveries."""

from datetime import timedelta

from sqlalchemy import select, update
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
from services.reminders.schedules.models import Schedule, ScheduleKind
from shared.auth import Principal
from shared.database import utcnow
from shared.errors import Invalid, NotFound

# Kinds whose subject is a partner, named from reminders' sealed copy of it.
PARTNER_SUBJECTS = {
    ScheduleKind.upkeep.value,
    ScheduleKind.consent_renewal.value,
    ScheduleKind.consent_request.value,
    ScheduleKind.pending_purge.value,
    ScheduleKind.greeting.value,
    ScheduleKind.stale_card.value,
}


def subject_name(session: Session, reminders: Reminders, kind: str, subject_id: str) -> str:
    if kind not in PARTNER_SUBJECTS:
        return ""
    document = partner_document(session, reminders, subject_id)
    return str((document or {}).get("name", ""))


def support_user_of(session: Session, kind: str, subject_id: str) -> str | None:
    """The support user a referral follow-up is about, as matching's event named them."""
    if kind != ScheduleKind.referral_follow_up.value:
        return None
    rule = session.scalar(
        select(Schedule.rule).where(Schedule.kind == kind, Schedule.subject_id == subject_id)
    )
    found = (rule or {}).get("support_user_id")
    return str(found) if found else None


def _view(session: Session, reminders: Reminders, n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        subject_id=n.subject_id,
        subject_name=subject_name(session, reminders, n.kind, n.subject_id),
        support_user_id=support_user_of(session, n.kind, n.subject_id),
        due_at=n.due_at,
        status=n.status,
        snoozed_until=n.snoozed_until,
    )


def notifications(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    status: str,
    limit: int,
    offset: int,
) -> list[NotificationOut]:
    """The caller's due items, earliest first, a page at a time."""
    mine = (
        Notification.user_id == principal.subject,
        Notification.organisation_id == principal.organisation_id,
    )
    session.execute(  # a snooze that has run out is open again
        update(Notification)
        .where(
            *mine,
            Notification.status == NotificationStatus.snoozed.value,
            Notification.snoozed_until <= utcnow(),
        )
        .values(status=NotificationStatus.open.value)
    )
    query = select(Notification).where(*mine)
    if status != "all":
        query = query.where(Notification.status == status)
    rows = session.scalars(
        query.order_by(Notification.due_at, Notification.id).limit(limit).offset(offset)
    )
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
    session: Session,
    reminders: Reminders,
    principal: Principal,
    status: str,
    limit: int,
    offset: int,
) -> list[DeliveryOut]:
    """The organisation's deliveries in one state, latest first, a page at a time."""
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.organisation_id == principal.organisation_id, Delivery.status == status)
        .order_by(Delivery.due_at.desc(), Delivery.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        DeliveryOut.model_validate(d, from_attributes=True).model_copy(
            update={"subject_name": subject_name(session, reminders, d.kind, d.subject_id)}
        )
        for d in rows
    ]


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
