"""Meeting participants' sealed contacts, and a meeting as a calendar event: what the
service, the invitation e-mails and the calendar feeds share."""

from email.utils import parseaddr

from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reminders.meetings.calendar import Attendee, meeting_event, uid_of
from services.reminders.meetings.models import REMOVED, Matter, Meeting, Participant, Reply
from services.reminders.runtime import Reminders
from shared.crypto.documents import open_document, seal_document

TABLE = "meeting_participants"


def participants_of(session: Session, meeting_id: str) -> list[Participant]:
    """The meeting's participants, without those taken off it."""
    return list(
        session.scalars(
            select(Participant).where(
                Participant.meeting_id == meeting_id, Participant.reply != REMOVED
            )
        )
    )


def contact_of(session: Session, reminders: Reminders, person: Participant) -> dict[str, str]:
    """The participant's name and e-mail."""
    found: dict[str, str] = open_document(
        reminders.keyring, session, TABLE, person.id, person.contact_encrypted
    )
    return found


def seal_contact(
    session: Session,
    reminders: Reminders,
    organisation_id: str,
    person: Participant,
    contact: dict[str, str],
) -> None:
    person.contact_encrypted = seal_document(
        reminders.keyring,
        session,
        organisation_id=organisation_id,
        subject_id=None,
        table=TABLE,
        row_id=person.id,
        document=contact,
    )


def location_of(meeting: Meeting) -> str:
    return " / ".join(part for part in (meeting.place, meeting.online_link) if part)


def calendar_event(
    session: Session,
    reminders: Reminders,
    meeting: Meeting,
    matter: Matter | None,
    *,
    sequence: int,
    description: str,
    cancelled: bool,
    only: Participant | None = None,
) -> Event:
    """``only``: the event as sent to one person alone (a cancellation to someone taken off
    the meeting names just them)."""
    settings = reminders.settings
    people = [only] if only is not None else participants_of(session, meeting.id)
    attendees = [
        # someone taken off the meeting has no reply of their own to show any more
        Attendee(
            contact["name"],
            contact["email"],
            Reply.needs_action.value if person.reply == REMOVED else person.reply,
        )
        for person in people
        for contact in [contact_of(session, reminders, person)]
    ]
    return meeting_event(
        uid=uid_of(meeting.id, settings.mail_domain),
        sequence=sequence,
        summary=matter.topic if matter else "",
        description=description,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=location_of(meeting),
        organizer=parseaddr(settings.mail_from)[1],
        attendees=attendees,
        cancelled=cancelled,
    )
