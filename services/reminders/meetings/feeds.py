"""Calendar feeds that calendar programs subscribe to: one per user (the meetings they take
part in) and one per organisation (all its meetings). A feed URL carries a signed token
instead of a login, since calendar programs cannot send one; the token names only ids."""

import base64
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reminders.meetings.calendar import calendar
from services.reminders.meetings.models import Matter, Meeting, Participant
from services.reminders.meetings.participants import calendar_event
from services.reminders.runtime import Reminders
from shared.auth import Principal
from shared.errors import NotFound

# Feed tokens are signed with a keyed hash kept in reminders' keyring (wrapped by the
# master key like every blind-index key), under a scope of their own.
SCOPE = "calendar-feeds"


def _signature(session: Session, reminders: Reminders, payload: str) -> str:
    return reminders.keyring.term_indexes(session, SCOPE, "feed", [payload])[0][:32]


def _token(session: Session, reminders: Reminders, *parts: str) -> str:
    payload = base64.urlsafe_b64encode(":".join(parts).encode()).decode().rstrip("=")
    return f"{payload}.{_signature(session, reminders, payload)}"


def feed_tokens(session: Session, reminders: Reminders, principal: Principal) -> dict[str, str]:
    return {
        "user": _token(session, reminders, "user", principal.organisation_id, principal.subject),
        "organisation": _token(session, reminders, "organisation", principal.organisation_id, ""),
    }


def _read(session: Session, reminders: Reminders, token: str) -> tuple[str, str, str]:
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(signature, _signature(session, reminders, payload)):
        raise NotFound("no such calendar")
    padded = payload + "=" * (-len(payload) % 4)
    scope, organisation_id, user_id = base64.urlsafe_b64decode(padded).decode().split(":")
    return scope, organisation_id, user_id


def feed(session: Session, reminders: Reminders, token: str) -> bytes:
    scope, organisation_id, user_id = _read(session, reminders, token)
    query = select(Meeting).where(
        Meeting.organisation_id == organisation_id,
        Meeting.status.in_(("planned", "held", "cancelled")),
    )
    if scope == "user":
        query = query.where(
            Meeting.id.in_(select(Participant.meeting_id).where(Participant.user_id == user_id))
        )
    events = [
        calendar_event(
            session,
            reminders,
            meeting,
            session.get(Matter, meeting.matter_id),
            sequence=meeting.sequence,
            description=meeting.agenda,
            cancelled=meeting.status == "cancelled",
        )
        for meeting in session.scalars(query.order_by(Meeting.starts_at))
    ]
    return calendar("PUBLISH", events)
