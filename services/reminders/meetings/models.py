"""Review meetings: a matter an association brings to the municipality, the planning steps
towards a meeting, meetings with their participants, agenda, minutes and outcome, action
items, progress updates and evaluations.

A matter is the association's business, not personal data; participants' names and
e-mail addresses are, and are sealed with the organisation's key."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime, new_id, utcnow

PARTICIPANT_WARNING = 10  # above this a discussion meeting stops being one


class DecisionLevel(StrEnum):
    official = "official"  # an official can decide
    political = "political"  # a political decision: the board and its chair are involved


class Urgency(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class PlanningStepKind(StrEnum):
    federation_contact = "federation_contact"  # need, goal and schedule with the federation
    choose_invitees = "choose_invitees"
    contact_municipality = "contact_municipality"  # with the reasons for the meeting
    agree_arrangements = "agree_arrangements"  # time, place, who sends the invitations
    book_expert = "book_expert"  # a federation expert joining remotely


class StepStatus(StrEnum):
    todo = "todo"
    doing = "doing"
    done = "done"
    not_needed = "not_needed"


class ParticipantRole(StrEnum):
    association_officer = "association_officer"
    concerned = "concerned"  # people the matter concerns
    official = "official"
    decision_maker = "decision_maker"
    federation_staff = "federation_staff"
    remote_expert = "remote_expert"


# A participant taken off an invited meeting keeps their row, marked so, until the
# cancellation sent to them has gone out; nothing else counts them.
REMOVED = "removed"


class Reply(StrEnum):
    needs_action = "needs_action"
    accepted = "accepted"
    declined = "declined"
    tentative = "tentative"


class MatterStatus(StrEnum):
    open = "open"
    closed = "closed"  # settled or given up: no new meetings, the series stops


class MeetingStatus(StrEnum):
    proposed = "proposed"  # suggested from the series cadence, not yet agreed
    planned = "planned"
    held = "held"
    cancelled = "cancelled"


class Matter(Base):
    __tablename__ = "matters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    topic: Mapped[str] = mapped_column(String(300))
    aim: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    decision_level: Mapped[str] = mapped_column(String(16))
    board: Mapped[str] = mapped_column(String(300), default="")
    board_chair: Mapped[str] = mapped_column(String(300), default="")
    decision_timeline: Mapped[str] = mapped_column(Text, default="")
    procurement_timeline: Mapped[str] = mapped_column(Text, default="")
    contact_user_id: Mapped[str] = mapped_column(String(36))
    shared_will_confirmed_on: Mapped[date] = mapped_column(Date)
    # A regular meeting once or twice a year once the matter goes on (None: no series).
    cadence_months: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=MatterStatus.open.value)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PlanningStep(Base):
    __tablename__ = "planning_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    owner_user_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default=StepStatus.todo.value)
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    invitations_by: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    # Realistic options and their schedule, as agreed at the meeting.
    outcome: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.planned.value)
    # iCalendar: the UID stays, SEQUENCE grows with every change sent to participants.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    invited_sequence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Participant(Base):
    __tablename__ = "meeting_participants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)  # a Kortisto login
    contact_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # {name, email}
    reply: Mapped[str] = mapped_column(String(16), default=Reply.needs_action.value)
    outcome_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ActionItem(Base):
    __tablename__ = "action_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    matter_id: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(500))
    owner_user_id: Mapped[str] = mapped_column(String(36))
    due_on: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class ProgressUpdate(Base):
    __tablename__ = "progress_updates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Evaluation(Base):
    """A short evaluation after a meeting: scores 1-5 per question and a free comment,
    anonymous (no participant id kept)."""

    __tablename__ = "meeting_evaluations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    matter_id: Mapped[str] = mapped_column(String(36), index=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
