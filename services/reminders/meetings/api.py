"""Routes for matters, planning steps, meetings, outcomes, updates, evaluations and the
calendar feeds."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.reminders.meetings import feeds, service
from services.reminders.meetings.schemas import (
    ActionItemOut,
    ActionItemPatch,
    EvaluationIn,
    EvaluationSummary,
    MatterDetail,
    MatterIn,
    MatterOut,
    MatterPatch,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    OutcomeIn,
    OutcomeOut,
    ParticipantIn,
    ReplyIn,
    StepOut,
    StepPatch,
    UpdateIn,
    UpdateOut,
)
from services.reminders.runtime import RemindersDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(tags=["review meetings"])


@router.post("/matters", response_model=MatterOut, status_code=201, summary="Raise a matter")
def create_matter(body: MatterIn, principal: PrincipalDep, session: SessionDep) -> MatterOut:
    return service.create_matter(session, principal, body)


@router.get("/matters", response_model=list[MatterOut], summary="The organisation's matters")
def list_matters(principal: PrincipalDep, session: SessionDep) -> list[MatterOut]:
    return service.list_matters(session, principal)


@router.get(
    "/matters/{matter_id}",
    response_model=MatterDetail,
    summary="A matter with its action items and progress updates",
)
def get_matter(matter_id: str, principal: PrincipalDep, session: SessionDep) -> MatterDetail:
    return service.matter_detail(session, principal, matter_id)


@router.patch(
    "/matters/{matter_id}",
    response_model=MatterDetail,
    summary="Change a matter; status closed ends it (and its series), open reopens it",
)
def change_matter(
    matter_id: str, body: MatterPatch, principal: PrincipalDep, session: SessionDep
) -> MatterDetail:
    return service.change_matter(session, principal, matter_id, body)


@router.get(
    "/matters/{matter_id}/updates",
    response_model=list[UpdateOut],
    summary="Progress updates, newest first",
)
def updates(matter_id: str, principal: PrincipalDep, session: SessionDep) -> list[UpdateOut]:
    return service.matter_updates(session, principal, matter_id)


@router.patch(
    "/action-items/{item_id}", response_model=ActionItemOut, summary="Mark done or not done"
)
def mark_action_item(
    item_id: str, body: ActionItemPatch, principal: PrincipalDep, session: SessionDep
) -> ActionItemOut:
    return service.mark_action_item(session, principal, item_id, body)


@router.get("/matters/{matter_id}/steps", response_model=list[StepOut], summary="Planning steps")
def steps(matter_id: str, principal: PrincipalDep, session: SessionDep) -> list[StepOut]:
    return service.steps(session, principal, matter_id)


@router.patch("/matters/{matter_id}/steps/{step_id}", response_model=StepOut)
def update_step(
    matter_id: str, step_id: str, body: StepPatch, principal: PrincipalDep, session: SessionDep
) -> StepOut:
    return service.update_step(session, principal, matter_id, step_id, body)


@router.post("/matters/{matter_id}/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(
    matter_id: str,
    body: MeetingIn,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.create_meeting(session, reminders, principal, matter_id, body)


@router.get("/matters/{matter_id}/meetings", response_model=list[MeetingOut], summary="The series")
def meetings_of(
    matter_id: str, principal: PrincipalDep, session: SessionDep, reminders: RemindersDep
) -> list[MeetingOut]:
    return service.meetings_of(session, reminders, principal, matter_id)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(
    meeting_id: str, principal: PrincipalDep, session: SessionDep, reminders: RemindersDep
) -> MeetingOut:
    return service.meeting_view(
        session, reminders, service.find_meeting(session, principal, meeting_id)
    )


@router.patch("/meetings/{meeting_id}", response_model=MeetingOut, summary="Change; updates go out")
def change_meeting(
    meeting_id: str,
    body: MeetingPatch,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.change_meeting(session, reminders, principal, meeting_id, body)


@router.post("/meetings/{meeting_id}/invitations", response_model=MeetingOut, summary="Invite")
def invite(
    meeting_id: str, principal: PrincipalDep, session: SessionDep, reminders: RemindersDep
) -> MeetingOut:
    return service.invite(session, reminders, principal, meeting_id)


@router.post("/meetings/{meeting_id}/cancel", response_model=MeetingOut)
def cancel(
    meeting_id: str, principal: PrincipalDep, session: SessionDep, reminders: RemindersDep
) -> MeetingOut:
    return service.cancel_meeting(session, reminders, principal, meeting_id)


@router.post(
    "/meetings/{meeting_id}/participants",
    response_model=MeetingOut,
    status_code=201,
    summary="Add a participant; invited at once if the meeting has been",
)
def add_participant(
    meeting_id: str,
    body: ParticipantIn,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.add_participant(session, reminders, principal, meeting_id, body)


@router.delete(
    "/meetings/{meeting_id}/participants/{participant_id}",
    response_model=MeetingOut,
    summary="Take a participant off; an invited one gets a cancellation",
)
def remove_participant(
    meeting_id: str,
    participant_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.remove_participant(session, reminders, principal, meeting_id, participant_id)


@router.put("/meetings/{meeting_id}/participants/{participant_id}/reply", response_model=MeetingOut)
def reply(
    meeting_id: str,
    participant_id: str,
    body: ReplyIn,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.record_reply(
        session, reminders, principal, meeting_id, participant_id, body.reply.value
    )


@router.post(
    "/meetings/{meeting_id}/outcome", response_model=OutcomeOut, summary="Record the outcome"
)
def record_outcome(
    meeting_id: str,
    body: OutcomeIn,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> OutcomeOut:
    return service.record_outcome(session, reminders, principal, meeting_id, body)


@router.post(
    "/meetings/{meeting_id}/participants/{participant_id}/confirmation",
    response_model=MeetingOut,
    summary="The participant understood the outcome the same way",
)
def confirm(
    meeting_id: str,
    participant_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    reminders: RemindersDep,
) -> MeetingOut:
    return service.confirm_outcome(session, reminders, principal, meeting_id, participant_id)


@router.post("/matters/{matter_id}/updates", response_model=UpdateOut, status_code=201)
def progress_update(
    matter_id: str, body: UpdateIn, principal: PrincipalDep, session: SessionDep
) -> UpdateOut:
    return service.progress_update(session, principal, matter_id, body)


@router.post("/meetings/{meeting_id}/evaluations", status_code=204, summary="Evaluate a meeting")
def evaluate(
    meeting_id: str, body: EvaluationIn, principal: PrincipalDep, session: SessionDep
) -> Response:
    service.evaluate(session, principal, meeting_id, body)
    return Response(status_code=204)


@router.get("/matters/{matter_id}/evaluations", response_model=EvaluationSummary)
def matter_evaluations(
    matter_id: str, principal: PrincipalDep, session: SessionDep
) -> EvaluationSummary:
    return service.evaluation_summary(session, principal, matter_id)


@router.get("/evaluations", response_model=EvaluationSummary, summary="Across every matter")
def all_evaluations(principal: PrincipalDep, session: SessionDep) -> EvaluationSummary:
    return service.evaluation_summary(session, principal, None)


@router.get(
    "/calendar/feeds",
    summary="My calendar subscription addresses: paths, and whole addresses (`*_url`)",
)
def feed_addresses(
    principal: PrincipalDep, session: SessionDep, reminders: RemindersDep
) -> dict[str, str]:
    """Whole addresses on reminders' public address, or else on the portal's, which passes
    /calendar/ on to reminders (as it does the unsubscribe links)."""
    base = reminders.settings.public_url()
    paths = {
        scope: f"/calendar/{token}.ics"
        for scope, token in feeds.feed_tokens(session, reminders, principal).items()
    }
    return paths | {f"{scope}_url": base + path for scope, path in paths.items()}


@router.get("/calendar/{token}.ics", summary="A calendar feed (no login: the address is the key)")
def calendar_feed(
    token: Annotated[str, Path(max_length=400)], session: SessionDep, reminders: RemindersDep
) -> Response:
    return Response(
        feeds.feed(session, reminders, token), media_type="text/calendar; charset=utf-8"
    )
