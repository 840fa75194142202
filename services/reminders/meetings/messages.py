"""E-mails to meeting participants: invitations and updates with the .ics (METHOD:REQUEST),
cancellations (METHOD:CANCEL), and progress updates on a matter."""

from email.message import EmailMessage

from sqlalchemy.orm import Session

from services.reminders.deliveries import messages
from services.reminders.deliveries.models import Delivery
from services.reminders.meetings.calendar import calendar
from services.reminders.meetings.models import (
    REMOVED,
    Matter,
    Meeting,
    Participant,
    ProgressUpdate,
)
from services.reminders.meetings.participants import calendar_event, contact_of, location_of
from services.reminders.runtime import Reminders

MEETING_KINDS = ("meeting_invitation", "meeting_cancel", "matter_update")


def compose(session: Session, reminders: Reminders, delivery: Delivery) -> EmailMessage:
    settings = reminders.settings
    person = session.get(Participant, delivery.recipient_id)
    if person is None:
        raise LookupError("the participant is no longer in the meeting")
    contact = contact_of(session, reminders, person)
    message = messages.envelope(
        delivery, contact["email"], sender=settings.mail_from, domain=settings.mail_domain
    )
    if delivery.kind == "matter_update":
        update = session.get(ProgressUpdate, delivery.subject_id)
        matter = session.get(Matter, update.matter_id) if update else None
        if update is None or matter is None:
            raise LookupError("the update is gone")
        message["Subject"] = f"Tilannekatsaus / Progress: {matter.topic}"
        message.set_content(update.text + "\n")
        return message
    meeting = session.get(Meeting, delivery.subject_id)
    matter = session.get(Matter, meeting.matter_id) if meeting else None
    if meeting is None or matter is None:
        raise LookupError("the meeting is gone")
    cancelled = delivery.kind == "meeting_cancel"
    # The calendar entry as it is now, with the SEQUENCE this delivery was made for.
    sequence = int(delivery.idempotency_key.split(":")[1])
    location = location_of(meeting)
    event = calendar_event(
        session,
        reminders,
        meeting,
        matter,
        sequence=sequence,
        description=meeting.agenda or matter.aim,
        cancelled=cancelled,
        only=person if person.reply == REMOVED else None,
    )
    method = "CANCEL" if cancelled else "REQUEST"
    verb = (
        ("Peruttu", "Cancelled")
        if cancelled
        else (("Muuttunut", "Updated") if sequence else ("Kutsu", "Invitation"))
    )
    message["Subject"] = f"{verb[0]} / {verb[1]}: {matter.topic}"
    when = meeting.starts_at.isoformat(timespec="minutes")
    message.set_content(f"{matter.topic}\n{when}\n{location}\n\n{meeting.agenda}\n".rstrip() + "\n")
    message.add_attachment(
        calendar(method, [event]),
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": method},
    )
    return message
