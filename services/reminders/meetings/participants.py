"""Meeting participants' sealed contacts, and a meeting as a calendar event: what the
service, the invitation e-mails and the calendar feeds share."""

from email.utils import parseaddr

from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reminders.meetings.calendar import Attendee, meeting_event, uid_of
from services.reminders.meetings.models import Matter, Meeting, Participant
from services.reminders.runtime import Reminders
from shared.crypto.documents import open_document, seal_document

TABLE = "meeting_participants"


def participants_of(session: Session, meeting_id: str) -> list[Participant]:
    return list(session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)))


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
) -> Event:
    settings = reminders.settings
    attendees = [
        Attendee(contact["name"], contact["email"], person.reply)
        for person in participants_of(session, meeting.id)
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
