"""The review meeting forms ↔ reminders' payloads: a matter, a planning step, a meeting with
its participants, a change of time or place, the outcome with its tasks and the next
meeting, and an evaluation. Times are entered as a day and hours in Finnish time and sent
with their offset. Rows (participants, tasks) are added and removed without JavaScript: the
form comes back with the change, nothing saved until "Save". Reminders' error ``field``
(``participants[2].user_id``, ``action_items.0.title``, ``board``, ``place``…) → the form
field and a message in plain words."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from starlette.datastructures import FormData

from services.portal.labels import (
    CADENCES,
    DECISION_LEVELS,
    EVALUATION_QUESTIONS,
    EVALUATION_SCALE,
    PARTICIPANT_ROLES,
    STEP_STATUSES,
    URGENCIES,
)
from services.portal.partner_form import Translate
from services.portal.schemas import Matter, Meeting, MemberContact
from services.portal.support_user_form import text_of
from services.portal.templating import TIMEZONE

LINE_MAX = 300
LINK_MAX = 500
TEXT_MAX = 10000
MAX_PARTICIPANTS = 40
MAX_ITEMS = 50
NEW_PARTICIPANT_ROWS = 4
# About ten people is what a discussion meeting takes; reminders warns above it.
PARTICIPANT_WARNING = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# ``participants.3.email`` (validation) or ``participants[3].user_id`` (a rule of reminders).
ROW_FIELD = re.compile(r"(\w+)(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?")


def local_time(day: str, hours: str) -> datetime | None:
    """A day (2031-03-01) and hours (14:00) in Finnish time, or ``None`` when either is not
    one."""
    try:
        parsed_day = date.fromisoformat(day)
        parsed_hours = time.fromisoformat(hours)
    except ValueError:
        return None
    return datetime.combine(
        parsed_day, parsed_hours.replace(second=0, microsecond=0, tzinfo=None), tzinfo=TIMEZONE
    )


def day_of(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).date().isoformat()


def hours_of(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%H:%M")


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _too_long(value: str, limit: int) -> bool:
    return len(value) > limit


def _row_field(api_field: str | None) -> tuple[str, int | None, str]:
    """``participants[2].user_id`` → (``participants``, 2, ``user_id``); a plain field →
    (its name, None, "")."""
    found = ROW_FIELD.fullmatch(api_field or "")
    if not found:
        return (api_field or "").split(".")[0], None, ""
    index = found.group(2) or found.group(3)
    return found.group(1), int(index), found.group(4) or ""


def _check_times(
    prefix: str, day: str, starts: str, ends: str, now: datetime, _: Translate
) -> dict[str, str]:
    """A meeting's day, start and end: all given, in the future, the end after the start.
    Errors are keyed ``<prefix>day``, ``<prefix>starts`` and ``<prefix>ends``."""
    errors: dict[str, str] = {}
    if parse_day(day) is None:
        errors[f"{prefix}day"] = _("Enter the day of the meeting.")
    # The hours are checked on their own, so that a missing day does not hide them.
    if local_time("2000-01-01", starts) is None:
        errors[f"{prefix}starts"] = _("Enter the time it starts, like 14:00.")
    if local_time("2000-01-01", ends) is None:
        errors[f"{prefix}ends"] = _("Enter the time it ends, like 16:00.")
    start, end = local_time(day, starts), local_time(day, ends)
    if errors or start is None or end is None:
        return errors
    if start <= now:
        errors[f"{prefix}day"] = _("The meeting must be in the future.")
    elif end <= start:
        errors[f"{prefix}ends"] = _("The meeting must end after it starts.")
    return errors


# -- a matter ------------------------------------------------------------------------------


def individual_advice(_: Translate) -> str:
    return _(
        "A single person's own case is not a matter for a review meeting. Take it to "
        "individual advice: the person's own worker, the municipality's social work or the "
        "federation's advisers."
    )


@dataclass
class MatterForm:
    topic: str = ""
    aim: str = ""
    why: str = ""
    urgency: str = "normal"
    whose: str = ""  # shared | one_person
    shared_will_confirmed_on: str = ""
    decision_level: str = ""
    board: str = ""
    board_chair: str = ""
    decision_timeline: str = ""
    procurement_timeline: str = ""
    contact_user_id: str = ""
    cadence: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> "MatterForm":
        urgency = text_of(data, "urgency")
        whose = text_of(data, "whose")
        level = text_of(data, "decision_level")
        cadence = text_of(data, "cadence")
        return cls(
            topic=text_of(data, "topic"),
            aim=text_of(data, "aim"),
            why=text_of(data, "why"),
            urgency=urgency if urgency in URGENCIES else "normal",
            whose=whose if whose in ("shared", "one_person") else "",
            shared_will_confirmed_on=text_of(data, "shared_will_confirmed_on"),
            decision_level=level if level in DECISION_LEVELS else "",
            board=text_of(data, "board"),
            board_chair=text_of(data, "board_chair"),
            decision_timeline=text_of(data, "decision_timeline"),
            procurement_timeline=text_of(data, "procurement_timeline"),
            contact_user_id=text_of(data, "contact_user_id"),
            cadence=cadence if cadence in CADENCES else "",
        )

    @classmethod
    def from_matter(cls, matter: Matter) -> "MatterForm":
        """The form prefilled for changing ``matter``."""
        return cls(
            topic=matter.topic,
            aim=matter.aim,
            why=matter.why,
            urgency=matter.urgency,
            whose="shared",
            shared_will_confirmed_on=matter.shared_will_confirmed_on.isoformat(),
            decision_level=matter.decision_level,
            board=matter.board,
            board_chair=matter.board_chair,
            decision_timeline=matter.decision_timeline,
            procurement_timeline=matter.procurement_timeline,
            contact_user_id=matter.contact_user_id,
            cadence=str(matter.cadence_months) if matter.cadence_months else "",
        )

    def check(self, _: Translate, today: date, *, editing: bool = False) -> dict[str, str]:
        """What can be said before asking reminders, keyed by the form's field ids. A change
        (``editing``) leaves whose matter it is and the day of the shared will as they were."""
        errors: dict[str, str] = {}
        if not editing and self.whose == "one_person":
            errors["whose"] = individual_advice(_)
        elif not editing and not self.whose:
            errors["whose"] = _("Choose whose matter this is.")
        if len(self.topic) < 3:
            errors["topic"] = _("Write the topic in a few words.")
        elif _too_long(self.topic, LINE_MAX):
            errors["topic"] = _("Shorten this to at most 300 characters.")
        for name, message in (
            ("aim", _("Write what the association wants to achieve.")),
            ("why", _("Write why the matter is important to the members.")),
        ):
            value = getattr(self, name)
            if len(value) < 3:
                errors[name] = message
            elif _too_long(value, TEXT_MAX):
                errors[name] = _("Shorten this to at most 10000 characters.")
        if not editing:
            errors.update(self._check_confirmed(_, today))
        if not self.decision_level:
            errors["decision_level"] = _("Choose who can decide the matter.")
        elif self.decision_level == "political":
            if not self.board:
                errors["board"] = _(
                    "A political decision needs the responsible board: write its name."
                )
            if not self.board_chair:
                errors["board_chair"] = _(
                    "A political decision needs the board's chair: write their name."
                )
        for name in ("board", "board_chair"):
            if name not in errors and _too_long(getattr(self, name), LINE_MAX):
                errors[name] = _("Shorten this to at most 300 characters.")
        for name in ("decision_timeline", "procurement_timeline"):
            if _too_long(getattr(self, name), TEXT_MAX):
                errors[name] = _("Shorten this to at most 10000 characters.")
        return errors

    def _check_confirmed(self, _: Translate, today: date) -> dict[str, str]:
        confirmed = parse_day(self.shared_will_confirmed_on)
        if confirmed is None:
            return {
                "shared_will_confirmed_on": _(
                    "Enter the day the members confirmed that this is their shared will."
                )
            }
        if confirmed > today:
            return {
                "shared_will_confirmed_on": _(
                    "The shared will is confirmed on a day that has come: today or earlier."
                )
            }
        return {}

    def payload(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "aim": self.aim,
            "why": self.why,
            "urgency": self.urgency,
            "concerns_one_person": self.whose == "one_person",
            "shared_will_confirmed_on": self.shared_will_confirmed_on,
            "decision_level": self.decision_level,
            "board": self.board,
            "board_chair": self.board_chair,
            "decision_timeline": self.decision_timeline,
            "procurement_timeline": self.procurement_timeline,
            "contact_user_id": self.contact_user_id or None,
            "cadence_months": int(self.cadence) if self.cadence else None,
        }

    def change_payload(self, matter: Matter) -> dict[str, Any]:
        """Only what differs from ``matter`` as it is (reminders changes just the fields
        given); the contact person stays when none is chosen."""
        wanted = self.payload()
        changes = {
            name: wanted[name]
            for name in (
                "topic",
                "aim",
                "why",
                "urgency",
                "decision_level",
                "board",
                "board_chair",
                "decision_timeline",
                "procurement_timeline",
                "cadence_months",
            )
            if wanted[name] != getattr(matter, name)
        }
        if self.contact_user_id and self.contact_user_id != matter.contact_user_id:
            changes["contact_user_id"] = self.contact_user_id
        return changes

    def api_error(self, api_field: str | None, message: str, _: Translate) -> tuple[str, str]:
        """Reminders' refusal as (the form's field id, a message in plain words). Reminders
        names the field (``concerns_one_person``, ``board``, ``cadence_months``…); an
        older answer about a rule over the whole matter (``body``) is told by its words."""
        name = (api_field or "").split(".")[0]
        words = message.lower()
        if name in ("", "body"):
            if "single person" in words:
                return "whose", individual_advice(_)
            if "board" in words:
                target = "board_chair" if self.board and not self.board_chair else "board"
                return target, _("A political decision needs the responsible board and its chair.")
            if "once (12) or twice (6)" in words:
                return "cadence", _("Choose how often the meetings go on.")
            if "shared will" in words:
                name = "shared_will_confirmed_on"
            else:
                return "", _("Saving did not succeed. Check the details and try again.")
        if name == "concerns_one_person":
            return "whose", individual_advice(_)
        if name == "shared_will_confirmed_on":
            return name, _("The shared will is confirmed on a day that has come: today or earlier.")
        if name == "contact_user_id":
            return name, _("Choose a member of your organisation.")
        if name == "cadence_months":
            return "cadence", _("Choose how often the meetings go on.")
        if name == "decision_level":
            return name, _("Choose who can decide the matter.")
        if name == "urgency":
            return name, _("Choose how urgent the matter is.")
        if name in ("board", "board_chair"):
            if "political" in words:
                return name, _("A political decision needs the responsible board and its chair.")
            return name, _("Shorten this to at most 300 characters.")
        if name in ("topic", "aim", "why"):
            return name, _("Check this: it is too short or too long.")
        if name in ("decision_timeline", "procurement_timeline"):
            return name, _("Shorten this to at most 10000 characters.")
        return "", _("Saving did not succeed. Check the details and try again.")


# -- a planning step -----------------------------------------------------------------------


@dataclass
class StepForm:
    owner_user_id: str = ""
    status: str = "todo"
    due_on: str = ""
    note: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> "StepForm":
        status = text_of(data, "status")
        return cls(
            owner_user_id=text_of(data, "owner_user_id"),
            status=status if status in STEP_STATUSES else "",
            due_on=text_of(data, "due_on"),
            note=text_of(data, "note"),
        )

    def check(self, prefix: str, _: Translate) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.status:
            errors[f"{prefix}-status"] = _("Choose how far the step is.")
        if self.due_on and parse_day(self.due_on) is None:
            errors[f"{prefix}-due_on"] = _("Enter the day as a date, like 1.3.2031.")
        if _too_long(self.note, TEXT_MAX):
            errors[f"{prefix}-note"] = _("Shorten this to at most 10000 characters.")
        return errors

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": self.status,
            "due_on": self.due_on or None,
            "note": self.note,
        }
        if self.owner_user_id:
            body["owner_user_id"] = self.owner_user_id
        return body


# -- a meeting and its participants --------------------------------------------------------


@dataclass
class ParticipantRow:
    role: str = ""
    user_id: str = ""  # a member of the organisation, whose name and address fill the row
    name: str = ""
    email: str = ""

    @property
    def empty(self) -> bool:
        return not (self.user_id or self.name or self.email)

    @classmethod
    def from_form(cls, data: FormData, prefix: str) -> "ParticipantRow":
        """The row's fields ``<prefix>-role``, ``-user_id``, ``-name`` and ``-email``."""
        role = text_of(data, f"{prefix}-role")
        return cls(
            role=role if role in PARTICIPANT_ROLES else "",
            user_id=text_of(data, f"{prefix}-user_id"),
            name=text_of(data, f"{prefix}-name"),
            email=text_of(data, f"{prefix}-email"),
        )

    def fill_from(self, members: Mapping[str, MemberContact]) -> None:
        """With a member chosen, an empty name or address is the member's; a chosen id
        that is no member is dropped."""
        member = members.get(self.user_id)
        if member is None:
            self.user_id = ""
            return
        self.name = self.name or member.display_name
        self.email = self.email or member.email

    def check(self, prefix: str, _: Translate) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.role:
            errors[f"{prefix}-role"] = _("Choose the participant's role.")
        if not self.name:
            errors[f"{prefix}-name"] = _("Write the participant's name.")
        elif _too_long(self.name, LINE_MAX):
            errors[f"{prefix}-name"] = _("Shorten this to at most 300 characters.")
        if not EMAIL.fullmatch(self.email):
            errors[f"{prefix}-email"] = _(
                "Enter the e-mail address in the correct form, like name@example.org."
            )
        return errors

    def payload(self) -> dict[str, Any]:
        person: dict[str, Any] = {"role": self.role, "name": self.name, "email": self.email}
        if self.user_id:
            person["user_id"] = self.user_id
        return person

    @staticmethod
    def api_error(prefix: str, part: str, _: Translate) -> tuple[str, str]:
        """Reminders' refusal of one participant's ``part`` as (the field id, a message)."""
        if part == "user_id":
            return f"{prefix}-user_id", _(
                "Choose a member of your organisation, or leave it empty and write the "
                "name and address."
            )
        if part == "email":
            return f"{prefix}-email", _(
                "Enter the e-mail address in the correct form, like name@example.org."
            )
        if part == "role":
            return f"{prefix}-role", _("Choose the participant's role.")
        return f"{prefix}-name", _("Check this participant's details.")


@dataclass
class MeetingForm:
    day: str = ""
    starts: str = ""
    ends: str = ""
    place: str = ""
    online_link: str = ""
    invitations_by: str = ""
    agenda: str = ""
    participants: list[ParticipantRow] = field(default_factory=list)
    invite: bool = False
    # Which form row each participant of the payload came from, for placing reminders' errors.
    _rows: list[int] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def new(cls, earlier: list[ParticipantRow] | None = None) -> "MeetingForm":
        form = cls(participants=list(earlier or []))
        form.participants += [ParticipantRow() for _ in range(NEW_PARTICIPANT_ROWS)]
        return form

    @classmethod
    def from_form(cls, data: FormData) -> "MeetingForm":
        count = text_of(data, "participant-count")
        rows = [
            ParticipantRow.from_form(data, f"participant-{i}")
            for i in range(min(int(count), MAX_PARTICIPANTS + 10) if count.isdigit() else 0)
        ]
        return cls(
            day=text_of(data, "day"),
            starts=text_of(data, "starts"),
            ends=text_of(data, "ends"),
            place=text_of(data, "place"),
            online_link=text_of(data, "online_link"),
            invitations_by=text_of(data, "invitations_by"),
            agenda=text_of(data, "agenda"),
            participants=rows,
            invite=bool(text_of(data, "invite")),
        )

    @classmethod
    def from_meeting(cls, meeting: Meeting) -> "MeetingForm":
        return cls(
            day=day_of(meeting.starts_at),
            starts=hours_of(meeting.starts_at),
            ends=hours_of(meeting.ends_at),
            place=meeting.place,
            online_link=meeting.online_link,
            invitations_by=meeting.invitations_by,
            agenda=meeting.agenda,
        )

    @property
    def named(self) -> int:
        return sum(1 for row in self.participants if not row.empty)

    def apply(self, action: str) -> str:
        """An editing action (``add-participants``, ``remove-<i>``); returns the anchor to
        show."""
        if action == "add-participants":
            room = MAX_PARTICIPANTS - len(self.participants)
            self.participants += [ParticipantRow() for _ in range(min(NEW_PARTICIPANT_ROWS, room))]
            return "participants"
        verb, _, target = action.partition("-")
        if verb == "remove" and target.isdigit() and int(target) < len(self.participants):
            del self.participants[int(target)]
        return "participants"

    def fill_from_members(self, members: Mapping[str, MemberContact]) -> None:
        """A row with a member chosen and no name or address gets the member's."""
        for row in self.participants:
            row.fill_from(members)

    def check_where(self, _: Translate) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not (self.place or self.online_link):
            errors["place"] = _("Say where: a place, an online link or both.")
        if _too_long(self.place, LINE_MAX):
            errors["place"] = _("Shorten this to at most 300 characters.")
        if self.online_link and not re.fullmatch(r"https?://\S+", self.online_link):
            errors["online_link"] = _(
                "Copy the whole link of the online meeting, starting with https://."
            )
        elif _too_long(self.online_link, LINK_MAX):
            errors["online_link"] = _("Shorten this to at most 500 characters.")
        if _too_long(self.agenda, TEXT_MAX):
            errors["agenda"] = _("Shorten this to at most 10000 characters.")
        return errors

    def check(self, _: Translate, now: datetime) -> dict[str, str]:
        """A new meeting: when, where, and each participant row that has anything in it."""
        errors = _check_times("", self.day, self.starts, self.ends, now, _)
        errors.update(self.check_where(_))
        if _too_long(self.invitations_by, LINE_MAX):
            errors["invitations_by"] = _("Shorten this to at most 300 characters.")
        for i, row in enumerate(self.participants):
            if not row.empty:
                errors.update(row.check(f"participant-{i}", _))
        if self.named > MAX_PARTICIPANTS:
            errors["participants"] = _("A meeting can have at most 40 participants.")
        return errors

    def check_change(self, _: Translate, now: datetime) -> dict[str, str]:
        errors = _check_times("", self.day, self.starts, self.ends, now, _)
        errors.update(self.check_where(_))
        return errors

    def times(self) -> tuple[str, str]:
        start, end = local_time(self.day, self.starts), local_time(self.day, self.ends)
        assert start is not None and end is not None
        return start.isoformat(), end.isoformat()

    def payload(self) -> dict[str, Any]:
        starts_at, ends_at = self.times()
        people = []
        self._rows = []
        for i, row in enumerate(self.participants):
            if row.empty:
                continue
            people.append(row.payload())
            self._rows.append(i)
        return {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": self.place,
            "online_link": self.online_link,
            "invitations_by": self.invitations_by,
            "agenda": self.agenda,
            "participants": people,
        }

    def change_payload(self) -> dict[str, Any]:
        starts_at, ends_at = self.times()
        return {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": self.place,
            "online_link": self.online_link,
            "agenda": self.agenda,
        }

    def api_error(self, api_field: str | None, _: Translate) -> tuple[str, str]:
        """Reminders' refusal as (the form's field id, a message in plain words)."""
        name, index, part = _row_field(api_field)
        if name == "participants" and index is not None:
            row = self._rows[index] if index < len(self._rows) else index
            return ParticipantRow.api_error(f"participant-{row}", part, _)
        if name == "participants":
            return "participants", _("A meeting can have at most 40 participants.")
        if name == "starts_at":
            return "day", _("The meeting must be in the future.")
        if name == "ends_at":
            return "ends", _("The meeting must end after it starts.")
        if name in ("body", "place"):
            return "place", _("Say where: a place, an online link or both.")
        if name == "online_link":
            return "online_link", _("Shorten this to at most 500 characters.")
        if name in ("agenda", "invitations_by"):
            return name, _("Check this: it is too long.")
        return "", _("Saving did not succeed. Check the details and try again.")


# -- the outcome ---------------------------------------------------------------------------


@dataclass
class TaskRow:
    title: str = ""
    owner_user_id: str = ""
    due_on: str = ""

    @property
    def empty(self) -> bool:
        return not (self.title or self.due_on)


@dataclass
class OutcomeForm:
    minutes: str = ""
    outcome: str = ""
    tasks: list[TaskRow] = field(default_factory=lambda: [TaskRow()])
    next_day: str = ""
    next_starts: str = ""
    next_ends: str = ""
    _rows: list[int] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def from_form(cls, data: FormData) -> "OutcomeForm":
        count = text_of(data, "task-count")
        tasks = [
            TaskRow(
                title=text_of(data, f"task-{i}-title"),
                owner_user_id=text_of(data, f"task-{i}-owner"),
                due_on=text_of(data, f"task-{i}-due_on"),
            )
            for i in range(min(int(count), MAX_ITEMS + 10) if count.isdigit() else 0)
        ]
        return cls(
            minutes=text_of(data, "minutes"),
            outcome=text_of(data, "outcome"),
            tasks=tasks,
            next_day=text_of(data, "next_day"),
            next_starts=text_of(data, "next_starts"),
            next_ends=text_of(data, "next_ends"),
        )

    def apply(self, action: str) -> str:
        if action == "add-task" and len(self.tasks) < MAX_ITEMS:
            self.tasks.append(TaskRow())
            return f"task-{len(self.tasks) - 1}"
        verb, _, target = action.partition("-")
        if verb == "remove" and target.isdigit() and int(target) < len(self.tasks):
            del self.tasks[int(target)]
        return "tasks"

    @property
    def has_next(self) -> bool:
        return bool(self.next_day or self.next_starts or self.next_ends)

    def check(self, _: Translate, now: datetime, members: Mapping[str, object]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if len(self.outcome) < 3:
            errors["outcome"] = _("Write the outcome: the realistic options and their schedule.")
        for name in ("outcome", "minutes"):
            if name not in errors and _too_long(getattr(self, name), TEXT_MAX):
                errors[name] = _("Shorten this to at most 10000 characters.")
        for i, task in enumerate(self.tasks):
            if task.empty:
                continue
            prefix = f"task-{i}"
            if len(task.title) < 2:
                errors[f"{prefix}-title"] = _("Write what is to be done.")
            elif _too_long(task.title, LINE_MAX):
                errors[f"{prefix}-title"] = _("Shorten this to at most 300 characters.")
            if task.owner_user_id not in members:
                errors[f"{prefix}-owner"] = _("Choose who does it.")
            if parse_day(task.due_on) is None:
                errors[f"{prefix}-due_on"] = _("Enter the day it is due.")
        if sum(1 for task in self.tasks if not task.empty) > MAX_ITEMS:
            errors["tasks"] = _("Record at most 50 tasks at a time.")
        if self.has_next:
            errors.update(
                _check_times("next_", self.next_day, self.next_starts, self.next_ends, now, _)
            )
        return errors

    def payload(self) -> dict[str, Any]:
        items = []
        self._rows = []
        for i, task in enumerate(self.tasks):
            if task.empty:
                continue
            items.append(
                {"title": task.title, "owner_user_id": task.owner_user_id, "due_on": task.due_on}
            )
            self._rows.append(i)
        body: dict[str, Any] = {
            "minutes": self.minutes,
            "outcome": self.outcome,
            "action_items": items,
        }
        if self.has_next:
            starts = local_time(self.next_day, self.next_starts)
            ends = local_time(self.next_day, self.next_ends)
            assert starts is not None and ends is not None
            body["next_meeting_starts_at"] = starts.isoformat()
            body["next_meeting_ends_at"] = ends.isoformat()
        return body

    def api_error(self, api_field: str | None, _: Translate) -> tuple[str, str]:
        name, index, part = _row_field(api_field)
        if name == "action_items" and index is not None:
            row = self._rows[index] if index < len(self._rows) else index
            if part == "owner_user_id":
                return f"task-{row}-owner", _(
                    "Choose who does it: a member of your organisation known to reminders."
                )
            if part == "due_on":
                return f"task-{row}-due_on", _("Enter the day it is due.")
            return f"task-{row}-title", _("Write what is to be done.")
        if name == "next_meeting_starts_at":
            return "next_day", _("The meeting must be in the future.")
        if name == "next_meeting_ends_at":
            return "next_ends", _("The meeting must end after it starts.")
        if name in ("outcome", "minutes"):
            return name, _("Check this: it is too short or too long.")
        return "", _("Saving did not succeed. Check the details and try again.")


# -- an evaluation -------------------------------------------------------------------------


@dataclass
class EvaluationForm:
    scores: dict[str, str] = field(default_factory=dict)
    comment: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> "EvaluationForm":
        return cls(
            scores={q: text_of(data, q) for q in EVALUATION_QUESTIONS},
            comment=text_of(data, "comment"),
        )

    def check(self, _: Translate) -> dict[str, str]:
        errors = {
            question: _("Choose a number from 1 to 5.")
            for question in EVALUATION_QUESTIONS
            if self.scores.get(question) not in EVALUATION_SCALE
        }
        if _too_long(self.comment, TEXT_MAX):
            errors["comment"] = _("Shorten this to at most 10000 characters.")
        return errors

    def payload(self) -> dict[str, Any]:
        return {
            **{question: int(self.scores[question]) for question in EVALUATION_QUESTIONS},
            "comment": self.comment,
        }
