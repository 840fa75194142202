"""iCalendar for meetings: invitations (METHOD:REQUEST, updates with a growing SEQUENCE,
METHOD:CANCEL) under one stable UID, and subscribable feeds (METHOD:PUBLISH)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Kortisto//Review meetings//FI"


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    reply: str  # needs_action | accepted | declined | tentative


def uid_of(meeting_id: str, domain: str) -> str:
    return f"meeting-{meeting_id}@{domain}"


def meeting_event(
    *,
    uid: str,
    sequence: int,
    summary: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    organizer: str,
    attendees: list[Attendee],
    cancelled: bool,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", starts_at.astimezone(UTC))
    event.add("dtend", ends_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organiser = vCalAddress(f"mailto:{organizer}")
    organiser.params["cn"] = vText("Kortisto")
    event["organizer"] = organiser
    for attendee in attendees:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText(attendee.reply.upper().replace("_", "-"))
        address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address, encode=False)
    return event


def calendar(method: str, events: list[Event]) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
