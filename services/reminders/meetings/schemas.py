"""What the meetings API takes and gives."""

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from services.reminders.meetings.models import (
    DecisionLevel,
    MatterStatus,
    ParticipantRole,
    Reply,
    StepStatus,
    Urgency,
)

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]

INDIVIDUAL_ADVICE = (
    "A single person's own case is not a matter for a review meeting: it belongs to "
    "individual advice (the person's worker, the municipality's social work, or the "
    "federation's advisers). A matter is something the association's members share."
)


class MatterFields(BaseModel):
    """What a matter says about itself; checked field by field, so that an error names the
    field it is about."""

    model_config = ConfigDict(extra="forbid")
    topic: Line = Field(min_length=3)
    aim: Text = Field(min_length=3, description="what the association wants to achieve")
    why: Text = Field(min_length=3, description="why it matters to the members")
    urgency: Urgency = Urgency.normal
    decision_level: DecisionLevel
    board: Line = Field(
        "", description="the responsible board, for a political decision", validate_default=True
    )
    board_chair: Line = Field("", validate_default=True)
    decision_timeline: Text = ""
    procurement_timeline: Text = ""
    contact_user_id: str | None = Field(None, max_length=36, description="default: the caller")
    cadence_months: int | None = Field(None, description="6 or 12: a regular meeting")

    @field_validator("board", "board_chair")
    @classmethod
    def _political(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("decision_level") == DecisionLevel.political and not value:
            raise PydanticCustomError(
                "political_decision",
                "a political decision needs the responsible board and its chair",
            )
        return value

    @field_validator("cadence_months")
    @classmethod
    def _cadence(cls, value: int | None) -> int | None:
        if value not in (None, 6, 12):
            raise PydanticCustomError("cadence", "a series meets once (12) or twice (6) a year")
        return value


class MatterIn(MatterFields):
    concerns_one_person: bool = Field(False, description=INDIVIDUAL_ADVICE)
    shared_will_confirmed_on: date = Field(
        description="when the members confirmed that this is their shared will; today or before"
    )

    @field_validator("concerns_one_person")
    @classmethod
    def _shared(cls, value: bool) -> bool:
        if value:
            raise PydanticCustomError("individual_case", INDIVIDUAL_ADVICE)
        return value


class MatterPatch(BaseModel):
    """A change to a matter: only the fields given change; ``status`` closes or reopens it."""

    model_config = ConfigDict(extra="forbid")
    topic: Line | None = Field(None, min_length=3)
    aim: Text | None = Field(None, min_length=3)
    why: Text | None = Field(None, min_length=3)
    urgency: Urgency | None = None
    decision_level: DecisionLevel | None = None
    board: Line | None = None
    board_chair: Line | None = None
    decision_timeline: Text | None = None
    procurement_timeline: Text | None = None
    contact_user_id: str | None = Field(None, max_length=36)
    cadence_months: int | None = None
    status: MatterStatus | None = None


class MatterOut(BaseModel):
    id: str
    topic: str
    aim: str
    why: str
    urgency: str
    decision_level: str
    board: str
    board_chair: str
    decision_timeline: str
    procurement_timeline: str
    contact_user_id: str
    shared_will_confirmed_on: date
    cadence_months: int | None
    status: str
    created_at: datetime


class StepOut(BaseModel):
    id: str
    kind: str
    position: int
    owner_user_id: str | None
    status: str
    due_on: date | None
    note: str


class StepPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_user_id: str | None = Field(None, max_length=36)
    status: StepStatus | None = None
    due_on: date | None = None
    note: Text | None = None


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: ParticipantRole
    name: Line = Field(min_length=1)
    email: EmailStr
    user_id: str | None = Field(None, max_length=36)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: datetime
    ends_at: datetime
    place: Line = ""
    online_link: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    invitations_by: Line = Field("", description="who sends the invitations")
    agenda: Text = ""
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=40)

    @field_validator("starts_at")
    @classmethod
    def _start(cls, value: datetime) -> datetime:
        return future(value)

    @field_validator("ends_at")
    @classmethod
    def _end(cls, value: datetime, info: ValidationInfo) -> datetime:
        return after_start(value, info.data.get("starts_at"))


def future(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the time with its offset, e.g. 2027-03-01T14:00:00+02:00")
    if value <= datetime.now(value.tzinfo):
        raise ValueError("the meeting must be in the future")
    return value


def after_start(value: datetime, starts_at: datetime | None) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the time with its offset, e.g. 2027-03-01T16:00:00+02:00")
    if starts_at is not None and value <= starts_at:
        raise ValueError("the meeting must end after it starts")
    return value


class MeetingPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: Line | None = None
    online_link: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        None
    )
    agenda: Text | None = None


class ParticipantOut(BaseModel):
    id: str
    role: str
    name: str
    email: str
    user_id: str | None
    reply: str
    outcome_confirmed_at: datetime | None


class MeetingWarning(BaseModel):
    code: str = Field(description="too_many_participants")
    message: str
    participants: int
    limit: int


class MeetingOut(BaseModel):
    id: str
    matter_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    invitations_by: str
    agenda: str
    minutes: str
    outcome: str
    status: str
    sequence: int
    invited_sequence: int | None = Field(
        description="the SEQUENCE last sent to the participants; none before the invitations"
    )
    needs_invitation: bool = Field(
        description="planned, with participants, and this version not yet sent to them"
    )
    uid: str
    participants: list[ParticipantOut]
    warnings: list[MeetingWarning]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reply: Reply


class ActionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Line = Field(min_length=2)
    owner_user_id: str = Field(max_length=36)
    due_on: date


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minutes: Text = ""
    outcome: Text = Field(min_length=3, description="the realistic options and their schedule")
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=50)
    next_meeting_starts_at: datetime | None = Field(None, description="agreed at the meeting")
    next_meeting_ends_at: datetime | None = None

    @field_validator("next_meeting_starts_at")
    @classmethod
    def _next_start(cls, value: datetime | None) -> datetime | None:
        return None if value is None else future(value)

    @field_validator("next_meeting_ends_at")
    @classmethod
    def _next_end(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            if info.data.get("next_meeting_starts_at") is not None:
                raise ValueError("give the end of the next meeting too")
            return None
        starts = info.data.get("next_meeting_starts_at")
        if starts is None:
            raise ValueError("give the start of the next meeting too")
        return after_start(value, starts)


class ActionItemOut(BaseModel):
    id: str
    title: str
    owner_user_id: str
    due_on: date
    done: bool


class ActionItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: bool


class OutcomeOut(BaseModel):
    meeting: MeetingOut
    action_items: list[ActionItemOut]
    next_meeting: MeetingOut | None


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text = Field(min_length=3)


class UpdateOut(BaseModel):
    id: str
    text: str
    recipients: int = Field(description="participants it was sent to")
    newsletter_block: dict[str, str]  # ready to paste into the association's newsletter
    created_at: datetime


Score = Annotated[int, Field(ge=1, le=5)]


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aim_clear: Score
    right_people: Score
    everyone_heard: Score
    outcome_realistic: Score
    next_steps_clear: Score
    comment: Text = ""


class MatterDetail(MatterOut):
    """A matter with what followed from its meetings."""

    action_items: list[ActionItemOut]
    updates: list[UpdateOut]


class EvaluationSummary(BaseModel):
    evaluations: int
    averages: dict[str, float]
    comments: list[str]
