"""Matters, planning steps, meetings with participants and invitations, outcomes with
action items and the next meeting, progress updates and evaluations."""

from collections import defaultdict
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.reminders.deliveries.models import Channel, Delivery, DeliveryStatus
from services.reminders.meetings.calendar import uid_of
from services.reminders.meetings.models import (
    PARTICIPANT_WARNING,
    REMOVED,
    ActionItem,
    Evaluation,
    Matter,
    MatterStatus,
    Meeting,
    MeetingStatus,
    Participant,
    PlanningStep,
    PlanningStepKind,
    ProgressUpdate,
)
from services.reminders.meetings.participants import contact_of, participants_of, seal_contact
from services.reminders.meetings.schemas import (
    ActionItemOut,
    ActionItemPatch,
    EvaluationIn,
    EvaluationSummary,
    MatterDetail,
    MatterFields,
    MatterIn,
    MatterOut,
    MatterPatch,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MeetingWarning,
    OutcomeIn,
    OutcomeOut,
    ParticipantIn,
    ParticipantOut,
    StepOut,
    StepPatch,
    UpdateIn,
    UpdateOut,
    after_start,
    future,
)
from services.reminders.people.models import StaffMember
from services.reminders.runtime import Reminders
from services.reminders.schedules import service as schedules
from services.reminders.schedules.clock import add_months, at_local
from services.reminders.schedules.models import ScheduleKind
from shared.auth import Principal
from shared.database import new_id, utcnow
from shared.errors import Forbidden, Invalid, NotFound
from shared.local_time import day_or_today

COORDINATORS = ("admin", "coordinator", "staff")


def require_coordinator(principal: Principal) -> None:
    if not principal.has_any(*COORDINATORS):
        raise Forbidden("review meetings are for the organisation's coordinators and staff")


# --- matters and planning ----------------------------------------------------------------


def _matter_out(matter: Matter) -> MatterOut:
    return MatterOut.model_validate(matter, from_attributes=True)


def _member(session: Session, organisation_id: str, user_id: str, field: str) -> None:
    if session.get(StaffMember, (user_id, organisation_id)) is None:
        raise Invalid(field, "not a member of this organisation")


def create_matter(session: Session, principal: Principal, data: MatterIn) -> MatterOut:
    require_coordinator(principal)
    day_or_today(data.shared_will_confirmed_on, principal.today(), "shared_will_confirmed_on")
    contact = data.contact_user_id or principal.subject
    if data.contact_user_id:
        _member(session, principal.organisation_id, contact, "contact_user_id")
    values = data.model_dump(exclude={"concerns_one_person", "contact_user_id"})
    matter = Matter(
        **values,
        organisation_id=principal.organisation_id,
        contact_user_id=contact,
        created_by=principal.subject,
    )
    matter.urgency, matter.decision_level = data.urgency.value, data.decision_level.value
    session.add(matter)
    session.flush()
    for position, kind in enumerate(PlanningStepKind):
        session.add(
            PlanningStep(
                matter_id=matter.id, kind=kind.value, position=position, owner_user_id=contact
            )
        )
    session.flush()
    return _matter_out(matter)


def find_matter(session: Session, principal: Principal, matter_id: str) -> Matter:
    require_coordinator(principal)
    matter = session.get(Matter, matter_id)
    if matter is None or matter.organisation_id != principal.organisation_id:
        raise NotFound("no such matter")
    return matter


def _open_matter(session: Session, principal: Principal, matter_id: str) -> Matter:
    matter = find_matter(session, principal, matter_id)
    if matter.status == MatterStatus.closed.value:
        raise Invalid("status", "the matter is closed: reopen it first")
    return matter


def _updates_of(session: Session, matter: Matter) -> list[UpdateOut]:
    """The matter's progress updates, newest first, each with how many it was sent to."""
    rows = session.execute(
        select(ProgressUpdate, func.count(Delivery.id))
        .outerjoin(Delivery, Delivery.subject_id == ProgressUpdate.id)
        .where(ProgressUpdate.matter_id == matter.id)
        .group_by(ProgressUpdate.id)
        .order_by(ProgressUpdate.created_at.desc())
    ).all()
    return [_update_out(matter, update, recipients) for update, recipients in rows]


def matter_updates(session: Session, principal: Principal, matter_id: str) -> list[UpdateOut]:
    return _updates_of(session, find_matter(session, principal, matter_id))


def matter_detail(session: Session, principal: Principal, matter_id: str) -> MatterDetail:
    """The matter with its action items (every meeting's) and progress updates."""
    matter = find_matter(session, principal, matter_id)
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.matter_id == matter.id)
        .order_by(ActionItem.done, ActionItem.due_on)
    )
    return MatterDetail(
        **_matter_out(matter).model_dump(),
        action_items=[ActionItemOut.model_validate(i, from_attributes=True) for i in items],
        updates=_updates_of(session, matter),
    )


def change_matter(
    session: Session, principal: Principal, matter_id: str, data: MatterPatch
) -> MatterDetail:
    """Only the fields given change; the result must still be a whole matter. Closing stops
    the series: a next meeting only proposed from the cadence, never invited to, goes."""
    matter = find_matter(session, principal, matter_id)
    changes = data.model_dump(exclude_unset=True)
    # A closed matter changes only by being reopened (closing it again changes nothing).
    closing_again = changes.keys() == {"status"} and data.status == MatterStatus.closed
    reopening = data.status == MatterStatus.open
    if matter.status == MatterStatus.closed.value and not (reopening or closing_again):
        raise Invalid("status", "the matter is closed: reopen it first")
    for field in ("topic", "aim", "why", "urgency", "decision_level", "status"):
        if field in changes and changes[field] is None:
            raise Invalid(field, "cannot be emptied")
    fields = set(MatterFields.model_fields)
    current = _matter_out(matter).model_dump(include=fields)
    try:
        merged = MatterFields.model_validate(
            current | {k: v for k, v in changes.items() if k in fields}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid(".".join(str(p) for p in first["loc"]), first["msg"]) from exc
    if changes.get("contact_user_id"):
        _member(session, matter.organisation_id, changes["contact_user_id"], "contact_user_id")
    for field, value in merged.model_dump(exclude={"contact_user_id"}).items():
        setattr(matter, field, value.value if hasattr(value, "value") else value)
    if merged.contact_user_id:
        matter.contact_user_id = merged.contact_user_id
    if data.status is not None:
        matter.status = data.status.value
        if data.status == MatterStatus.closed:
            session.execute(
                delete(Meeting).where(
                    Meeting.matter_id == matter.id,
                    Meeting.status == MeetingStatus.proposed.value,
                    Meeting.invited_sequence.is_(None),
                )
            )
    session.flush()
    return matter_detail(session, principal, matter.id)


def list_matters(session: Session, principal: Principal) -> list[MatterOut]:
    require_coordinator(principal)
    rows = session.scalars(
        select(Matter)
        .where(Matter.organisation_id == principal.organisation_id)
        .order_by(Matter.created_at.desc())
    )
    return [_matter_out(m) for m in rows]


def steps(session: Session, principal: Principal, matter_id: str) -> list[StepOut]:
    matter = find_matter(session, principal, matter_id)
    rows = session.scalars(
        select(PlanningStep)
        .where(PlanningStep.matter_id == matter.id)
        .order_by(PlanningStep.position)
    )
    return [StepOut.model_validate(s, from_attributes=True) for s in rows]


def update_step(
    session: Session, principal: Principal, matter_id: str, step_id: str, data: StepPatch
) -> StepOut:
    matter = find_matter(session, principal, matter_id)
    step = session.get(PlanningStep, step_id)
    if step is None or step.matter_id != matter.id:
        raise NotFound("no such planning step")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("owner_user_id"):
        _member(session, matter.organisation_id, changes["owner_user_id"], "owner_user_id")
    for field, value in changes.items():
        setattr(step, field, value.value if hasattr(value, "value") else value)
    session.flush()
    return StepOut.model_validate(step, from_attributes=True)


# --- meetings ------------------------------------------------------------------------------


def _add_participant(
    session: Session, reminders: Reminders, meeting: Meeting, data: ParticipantIn, field: str
) -> Participant:
    if data.user_id:
        where = f"{field}.user_id" if field else "user_id"
        _member(session, meeting.organisation_id, data.user_id, where)
    participant = Participant(
        id=new_id(), meeting_id=meeting.id, role=data.role.value, user_id=data.user_id
    )
    contact = {"name": data.name, "email": str(data.email)}
    seal_contact(session, reminders, meeting.organisation_id, participant, contact)
    session.add(participant)
    return participant


def meeting_view(session: Session, reminders: Reminders, meeting: Meeting) -> MeetingOut:
    people = participants_of(session, meeting.id)
    warnings = []
    if len(people) > PARTICIPANT_WARNING:
        warnings.append(
            MeetingWarning(
                code="too_many_participants",
                message=f"{len(people)} participants: a discussion meeting works best with "
                f"at most {PARTICIPANT_WARNING}",
                participants=len(people),
                limit=PARTICIPANT_WARNING,
            )
        )
    return MeetingOut(
        id=meeting.id,
        matter_id=meeting.matter_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        online_link=meeting.online_link,
        invitations_by=meeting.invitations_by,
        agenda=meeting.agenda,
        minutes=meeting.minutes,
        outcome=meeting.outcome,
        status=meeting.status,
        sequence=meeting.sequence,
        invited_sequence=meeting.invited_sequence,
        needs_invitation=bool(people)
        and meeting.status in (MeetingStatus.planned.value, MeetingStatus.proposed.value)
        and meeting.invited_sequence != meeting.sequence,
        uid=uid_of(meeting.id, reminders.settings.mail_domain),
        participants=[
            ParticipantOut(
                id=p.id,
                role=p.role,
                user_id=p.user_id,
                reply=p.reply,
                outcome_confirmed_at=p.outcome_confirmed_at,
                **contact_of(session, reminders, p),
            )
            for p in people
        ],
        warnings=warnings,
    )


def create_meeting(
    session: Session, reminders: Reminders, principal: Principal, matter_id: str, data: MeetingIn
) -> MeetingOut:
    matter = _open_matter(session, principal, matter_id)
    if not (data.place or data.online_link):
        raise Invalid("place", "say where: a place or an online link")
    meeting = Meeting(
        id=new_id(),
        matter_id=matter.id,
        organisation_id=matter.organisation_id,
        **data.model_dump(exclude={"participants"}),
    )
    session.add(meeting)
    session.flush()
    for i, person in enumerate(data.participants):
        _add_participant(session, reminders, meeting, person, f"participants[{i}]")
    session.flush()
    return meeting_view(session, reminders, meeting)


def find_meeting(session: Session, principal: Principal, meeting_id: str) -> Meeting:
    require_coordinator(principal)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id != principal.organisation_id:
        raise NotFound("no such meeting")
    return meeting


def _send(session: Session, meeting: Meeting, kind: str, people: list[Participant]) -> None:
    """One e-mail delivery per person for this version (SEQUENCE) of the meeting."""
    now = utcnow()
    for person in people:
        session.add(
            Delivery(
                organisation_id=meeting.organisation_id,
                idempotency_key=f"{meeting.id}:{meeting.sequence}:{kind}:{person.id}",
                kind=kind,
                subject_id=meeting.id,
                recipient_kind="participant",
                recipient_id=person.id,
                channel=Channel.email.value,
                due_at=now,
                send_after=now,
                status=DeliveryStatus.pending.value,
            )
        )
    session.flush()


def _send_to_participants(session: Session, meeting: Meeting, kind: str) -> None:
    _send(session, meeting, kind, participants_of(session, meeting.id))


def invite(
    session: Session, reminders: Reminders, principal: Principal, meeting_id: str
) -> MeetingOut:
    """Invitations to every participant; sent again after a change, with a higher SEQUENCE."""
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status not in (MeetingStatus.planned.value, MeetingStatus.proposed.value):
        raise Invalid("status", f"a {meeting.status} meeting is not invited to")
    if not participants_of(session, meeting.id):
        raise Invalid("participants", "add participants before inviting")
    if meeting.invited_sequence == meeting.sequence:
        raise Invalid("sequence", "this version of the meeting has been sent already")
    meeting.status = MeetingStatus.planned.value
    meeting.invited_sequence = meeting.sequence
    _send_to_participants(session, meeting, "meeting_invitation")
    return meeting_view(session, reminders, meeting)


def change_meeting(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    meeting_id: str,
    data: MeetingPatch,
) -> MeetingOut:
    """A change of time or place after the invitations went out is sent as an update."""
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status not in (MeetingStatus.planned.value, MeetingStatus.proposed.value):
        raise Invalid("status", f"a {meeting.status} meeting cannot be changed")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    starts = changes.get("starts_at", meeting.starts_at)
    ends = changes.get("ends_at", meeting.ends_at)
    try:
        if "starts_at" in changes:
            future(starts)
        after_start(ends, starts)
    except ValueError as exc:
        raise Invalid("ends_at" if "end" in str(exc) else "starts_at", str(exc)) from exc
    for field, value in changes.items():
        setattr(meeting, field, value)
    if meeting.invited_sequence is not None:
        meeting.sequence += 1
        meeting.invited_sequence = meeting.sequence
        _send_to_participants(session, meeting, "meeting_invitation")
    session.flush()
    return meeting_view(session, reminders, meeting)


def cancel_meeting(
    session: Session, reminders: Reminders, principal: Principal, meeting_id: str
) -> MeetingOut:
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status in (MeetingStatus.held.value, MeetingStatus.cancelled.value):
        raise Invalid("status", f"a {meeting.status} meeting cannot be cancelled")
    meeting.status = MeetingStatus.cancelled.value
    if meeting.invited_sequence is not None:
        meeting.sequence += 1
        meeting.invited_sequence = meeting.sequence
        _send_to_participants(session, meeting, "meeting_cancel")
    session.flush()
    return meeting_view(session, reminders, meeting)


def _participant(session: Session, meeting: Meeting, participant_id: str) -> Participant:
    person = session.get(Participant, participant_id)
    if person is None or person.meeting_id != meeting.id or person.reply == REMOVED:
        raise NotFound("no such participant")
    return person


def _editable(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.planned.value, MeetingStatus.proposed.value):
        raise Invalid("status", f"the participants of a {meeting.status} meeting stay as they were")


def add_participant(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    meeting_id: str,
    data: ParticipantIn,
) -> MeetingOut:
    """Someone joins; once the meeting has been invited to, they get the invitation too."""
    meeting = find_meeting(session, principal, meeting_id)
    _editable(meeting)
    person = _add_participant(session, reminders, meeting, data, "")
    session.flush()
    if meeting.invited_sequence is not None:
        _send(session, meeting, "meeting_invitation", [person])
    return meeting_view(session, reminders, meeting)


def remove_participant(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    meeting_id: str,
    participant_id: str,
) -> MeetingOut:
    """Someone leaves. If they were invited, a cancellation goes to them alone (under a new
    SEQUENCE, so their calendar takes it over the invitation it holds)."""
    meeting = find_meeting(session, principal, meeting_id)
    _editable(meeting)
    person = _participant(session, meeting, participant_id)
    if meeting.invited_sequence is None:
        session.delete(person)
    else:
        person.reply = REMOVED
        meeting.sequence += 1
        meeting.invited_sequence = meeting.sequence
        _send(session, meeting, "meeting_cancel", [person])
    session.flush()
    return meeting_view(session, reminders, meeting)


def record_reply(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    meeting_id: str,
    participant_id: str,
    reply: str,
) -> MeetingOut:
    meeting = find_meeting(session, principal, meeting_id)
    _participant(session, meeting, participant_id).reply = reply
    session.flush()
    return meeting_view(session, reminders, meeting)


def confirm_outcome(
    session: Session,
    reminders: Reminders,
    principal: Principal,
    meeting_id: str,
    participant_id: str,
) -> MeetingOut:
    """The participant understood the outcome the same way."""
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status != MeetingStatus.held.value:
        raise Invalid("status", "an outcome is confirmed after the meeting")
    _participant(session, meeting, participant_id).outcome_confirmed_at = utcnow()
    session.flush()
    return meeting_view(session, reminders, meeting)


# --- outcome, action items, the next meeting ----------------------------------------------


def record_outcome(
    session: Session, reminders: Reminders, principal: Principal, meeting_id: str, data: OutcomeIn
) -> OutcomeOut:
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status != MeetingStatus.planned.value:
        raise Invalid("status", f"a {meeting.status} meeting has no outcome to record")
    matter = session.get(Matter, meeting.matter_id)
    assert matter is not None
    if matter.status == MatterStatus.closed.value and data.next_meeting_starts_at:
        raise Invalid("next_meeting_starts_at", "the matter is closed: no next meeting")
    for i, item in enumerate(data.action_items):
        _member(
            session, meeting.organisation_id, item.owner_user_id, f"action_items[{i}].owner_user_id"
        )
    meeting.minutes, meeting.outcome = data.minutes, data.outcome
    meeting.status = MeetingStatus.held.value
    items = []
    for item in data.action_items:
        action = ActionItem(meeting_id=meeting.id, matter_id=matter.id, **item.model_dump())
        session.add(action)
        session.flush()
        _remind_of(session, meeting.organisation_id, action)
        items.append(ActionItemOut.model_validate(action, from_attributes=True))
    next_meeting = _next_meeting(session, reminders, matter, meeting, data)
    session.flush()
    return OutcomeOut(
        meeting=meeting_view(session, reminders, meeting),
        action_items=items,
        next_meeting=meeting_view(session, reminders, next_meeting) if next_meeting else None,
    )


def _next_meeting(
    session: Session, reminders: Reminders, matter: Matter, held: Meeting, data: OutcomeIn
) -> Meeting | None:
    """The next meeting agreed at this one; otherwise, for a series, one proposed from the
    cadence. It has the same participants and is not invited to until someone does. A
    closed matter has none."""
    if matter.status == MatterStatus.closed.value:
        return None
    if data.next_meeting_starts_at and data.next_meeting_ends_at:
        starts, ends, status = (
            data.next_meeting_starts_at,
            data.next_meeting_ends_at,
            MeetingStatus.planned,
        )
    elif matter.cadence_months:
        clock = schedules.policy(session, matter.organisation_id)
        day = add_months(held.starts_at.date(), matter.cadence_months)
        local_start = held.starts_at.astimezone(ZoneInfo(clock.timezone)).time()
        starts = at_local(day, clock.timezone, local_start)
        ends = starts + (held.ends_at - held.starts_at)
        status = MeetingStatus.proposed
    else:
        return None
    following = Meeting(
        id=new_id(),
        matter_id=matter.id,
        organisation_id=matter.organisation_id,
        starts_at=starts,
        ends_at=ends,
        place=held.place,
        online_link=held.online_link,
        invitations_by=held.invitations_by,
        status=status.value,
    )
    session.add(following)
    session.flush()
    for person in participants_of(session, held.id):
        copy = Participant(
            id=new_id(), meeting_id=following.id, role=person.role, user_id=person.user_id
        )
        contact = contact_of(session, reminders, person)
        seal_contact(session, reminders, matter.organisation_id, copy, contact)
        session.add(copy)
    return following


def meetings_of(
    session: Session, reminders: Reminders, principal: Principal, matter_id: str
) -> list[MeetingOut]:
    matter = find_matter(session, principal, matter_id)
    rows = session.scalars(
        select(Meeting).where(Meeting.matter_id == matter.id).order_by(Meeting.starts_at)
    )
    return [meeting_view(session, reminders, m) for m in rows]


# --- progress and evaluation --------------------------------------------------------------


def progress_update(
    session: Session, principal: Principal, matter_id: str, data: UpdateIn
) -> UpdateOut:
    """Sent to the participants of the matter's latest meeting; also offered as a news block
    for the association's newsletter."""
    matter = find_matter(session, principal, matter_id)
    update = ProgressUpdate(matter_id=matter.id, text=data.text, created_by=principal.subject)
    session.add(update)
    session.flush()
    latest = session.scalar(
        select(Meeting)
        .where(Meeting.matter_id == matter.id, Meeting.status.in_(("planned", "held")))
        .order_by(Meeting.starts_at.desc())
    )
    recipients = 0
    if latest is not None:
        now = utcnow()
        for person in participants_of(session, latest.id):
            session.add(
                Delivery(
                    organisation_id=matter.organisation_id,
                    idempotency_key=f"{update.id}:matter_update:{person.id}",
                    kind="matter_update",
                    subject_id=update.id,
                    recipient_kind="participant",
                    recipient_id=person.id,
                    channel=Channel.email.value,
                    due_at=now,
                    send_after=now,
                    status=DeliveryStatus.pending.value,
                )
            )
            recipients += 1
    session.flush()
    return _update_out(matter, update, recipients)


def _update_out(matter: Matter, update: ProgressUpdate, recipients: int) -> UpdateOut:
    return UpdateOut(
        id=update.id,
        text=update.text,
        recipients=recipients,
        newsletter_block={"type": "news", "title": matter.topic, "text": update.text},
        created_at=update.created_at,
    )


def mark_action_item(
    session: Session, principal: Principal, item_id: str, data: ActionItemPatch
) -> ActionItemOut:
    """Done (its reminder is cancelled) or not done after all (the reminder comes back)."""
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound("no such action item")
    matter = find_matter(session, principal, item.matter_id)
    item.done = data.done
    _remind_of(session, matter.organisation_id, item)
    session.flush()
    return ActionItemOut.model_validate(item, from_attributes=True)


def _remind_of(session: Session, organisation_id: str, item: ActionItem) -> None:
    """The action item's reminder to its owner on its due day, while it is not done."""
    clock = schedules.policy(session, organisation_id)
    wanted = [
        schedules.Wanted(
            ScheduleKind.action_item,
            item.id,
            at_local(item.due_on, clock.timezone),
            item.owner_user_id,
            {},
        )
    ]
    kinds = (ScheduleKind.action_item.value,)
    schedules.sync(session, organisation_id, kinds, item.id, [] if item.done else wanted)


def evaluate(session: Session, principal: Principal, meeting_id: str, data: EvaluationIn) -> None:
    meeting = find_meeting(session, principal, meeting_id)
    if meeting.status != MeetingStatus.held.value:
        raise Invalid("status", "a meeting is evaluated after it was held")
    scores = data.model_dump(exclude={"comment"})
    session.add(
        Evaluation(
            meeting_id=meeting.id, matter_id=meeting.matter_id, scores=scores, comment=data.comment
        )
    )
    session.flush()


def evaluation_summary(
    session: Session, principal: Principal, matter_id: str | None
) -> EvaluationSummary:
    """Per matter, or across every matter of the organisation when ``matter_id`` is None."""
    require_coordinator(principal)
    query = (
        select(Evaluation)
        .join(Matter, Matter.id == Evaluation.matter_id)
        .where(Matter.organisation_id == principal.organisation_id)
    )
    if matter_id is not None:
        query = query.where(Evaluation.matter_id == find_matter(session, principal, matter_id).id)
    rows = list(session.scalars(query))
    totals: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for question, score in row.scores.items():
            totals[question].append(int(score))
    return EvaluationSummary(
        evaluations=len(rows),
        averages={q: round(sum(v) / len(v), 2) for q, v in sorted(totals.items())},
        comments=[r.comment for r in rows if r.comment],
    )
