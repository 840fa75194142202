"""Sending one delivery, idempotently: a delivery already sent, cancelled or failed is left
alone; a worker takes it by marking it `sending` in a committed transaction before the
e-mail leaves, and marks it `sent` after. A delivery another worker took less than
``sweep_after_seconds`` ago is left to that worker. A worker killed in between leaves it
`sending`, the sweeper queues it again, and the same message (same Message-ID) may arrive
twice: e-mail is at-least-once."""

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.reminders.deliveries import messages
from services.reminders.deliveries.mailer import PermanentMailError, TransientMailError
from services.reminders.deliveries.models import Delivery, DeliveryStatus
from services.reminders.meetings import messages as meeting_messages
from services.reminders.meetings.models import ActionItem
from services.reminders.people.service import partner_document, staff_contact
from services.reminders.runtime import Reminders
from shared.database import utcnow

FINISHED = (
    DeliveryStatus.sent.value,
    DeliveryStatus.cancelled.value,
    DeliveryStatus.failed.value,
    DeliveryStatus.held.value,
)


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str | None = None


class NoAddress(Exception):
    """The recipient has no e-mail address reminders may use."""


def _message(session: Session, reminders: Reminders, delivery: Delivery) -> EmailMessage:
    settings = reminders.settings
    if delivery.kind == "newsletter":  # its own content and unsubscribe link
        from services.reminders.newsletters.mail import newsletter_message

        return newsletter_message(session, reminders, delivery)
    if delivery.recipient_kind == "participant":  # a review meeting's participant
        try:
            return meeting_messages.compose(session, reminders, delivery)
        except LookupError as exc:
            raise NoAddress(str(exc)) from exc
    if delivery.recipient_kind == "partner":
        document = partner_document(session, reminders, delivery.subject_id) or {}
        if not document.get("email"):
            raise NoAddress("the partner has no e-mail address for this")
        return messages.compose(
            delivery,
            document["email"],
            "fi",
            str(document.get("name", "")),
            sender=settings.mail_from,
            domain=settings.mail_domain,
        )
    contact = staff_contact(session, reminders, delivery.recipient_id, delivery.organisation_id)
    if not contact or not contact.get("email"):
        raise NoAddress("the staff member has no e-mail address")
    language = messages.language_of(contact)
    items = None
    name = ""
    if delivery.kind == "digest":
        items = _digest_items(session, reminders, delivery, language)
    else:
        name = _subject_name(session, reminders, delivery)
    return messages.compose(
        delivery,
        contact["email"],
        language,
        name,
        sender=settings.mail_from,
        domain=settings.mail_domain,
        items=items,
    )


def _subject_name(session: Session, reminders: Reminders, delivery: Delivery) -> str:
    if delivery.kind == "action_item":
        item = session.get(ActionItem, delivery.subject_id)
        return item.title if item else ""
    document = partner_document(session, reminders, delivery.subject_id)
    return str(document.get("name", "")) if document else ""


def _digest_items(
    session: Session, reminders: Reminders, digest: Delivery, language: str
) -> list[str]:
    held = list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.recipient_id == digest.recipient_id,
                Delivery.organisation_id == digest.organisation_id,
                Delivery.status == DeliveryStatus.held.value,
                Delivery.created_at <= digest.created_at,
            )
            .order_by(Delivery.due_at)
        )
    )
    return [
        messages.digest_line(d.kind, _subject_name(session, reminders, d), language) for d in held
    ]


def _taken_by_a_live_worker(delivery: Delivery, sweep_after: timedelta) -> bool:
    """`sending` since less than ``sweep_after`` ago: another worker is sending it now. (If
    that worker died, the sweeper queues it again once ``sweep_after`` has passed.)"""
    if delivery.status != DeliveryStatus.sending.value or delivery.queued_at is None:
        return False
    return delivery.queued_at > utcnow() - sweep_after


def _take(session: Session, delivery_id: str, sweep_after: timedelta) -> Delivery | None:
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status in FINISHED:
        return None
    # A second message for a delivery that a worker is sending right now (the sweeper's
    # copy, or one Redis handed out again) waited above for that worker's lock and must not
    # send the e-mail a second time: at-least-once is for a worker that dies mid-send only.
    if _taken_by_a_live_worker(delivery, sweep_after):
        return None
    delivery.status = DeliveryStatus.sending.value
    delivery.attempts += 1
    delivery.queued_at = utcnow()  # the sweeper's clock restarts while this worker sends
    return delivery


def send(reminders: Reminders, delivery_id: str) -> Outcome:
    """Raises TransientMailError for the task to retry; everything else ends here."""
    with reminders.database.session() as session:
        sweep_after = timedelta(seconds=reminders.settings.sweep_after_seconds)
        delivery = _take(session, delivery_id, sweep_after)
        if delivery is None:
            found = session.get(Delivery, delivery_id)
            return Outcome(found.status if found else "missing")
        try:
            message = _message(session, reminders, delivery)
        except NoAddress as exc:
            delivery.status = DeliveryStatus.failed.value
            delivery.last_error = str(exc)
            return Outcome(delivery.status, str(exc))
    try:
        reminders.mailer.send(message)
    except TransientMailError as exc:
        _record(reminders, delivery_id, DeliveryStatus.queued.value, str(exc))
        raise
    except PermanentMailError as exc:
        _record(reminders, delivery_id, DeliveryStatus.failed.value, f"bounced: {exc}")
        return Outcome(DeliveryStatus.failed.value, str(exc))
    with reminders.database.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=DeliveryStatus.sent.value, sent_at=utcnow(), last_error=None)
        )
        if delivery.kind == "digest":
            session.execute(
                update(Delivery)
                .where(
                    Delivery.recipient_id == delivery.recipient_id,
                    Delivery.organisation_id == delivery.organisation_id,
                    Delivery.status == DeliveryStatus.held.value,
                    Delivery.created_at <= delivery.created_at,
                )
                .values(status=DeliveryStatus.sent.value, sent_at=utcnow(), digest_id=delivery_id)
            )
    return Outcome(DeliveryStatus.sent.value)


def _record(reminders: Reminders, delivery_id: str, status: str, error: str) -> None:
    with reminders.database.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=status, last_error=error)
        )


def give_up(reminders: Reminders, delivery_id: str, error: str) -> None:
    """The last try failed: `failed`, visible to staff, who may retry it."""
    _record(reminders, delivery_id, DeliveryStatus.failed.value, error)
