"""The review meeting pages for coordinators: the association's matters, raising one (a
single person's case is refused and pointed to individual advice), changing, closing and
reopening it, a matter's page with its series of meetings, its tasks (marked done or not
done), progress updates (with a news item for the newsletter) and evaluations, the planning
checklist, a meeting with its agenda, participants (added and taken off) and their replies,
the invitations, changes and cancelling, the outcome with tasks and the next meeting, the
evaluation form, the summary across all matters and the calendar subscription addresses.
Routes translate between HTML forms and the reminders service's API; reminders decides who
may do what."""

import asyncio
import re
from datetime import UTC, datetime
from gettext import GNUTranslations
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.deps import Api, ApiDep, RemindersApiDep, RemindersDep, TemplatesDep, member_of
from services.portal.labels import PARTICIPANT_ROLES, REPLIES
from services.portal.meeting_form import (
    PARTICIPANT_WARNING,
    EvaluationForm,
    MatterForm,
    MeetingForm,
    OutcomeForm,
    ParticipantRow,
    StepForm,
)
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.reminder_pages import expired, text_of
from services.portal.schemas import (
    ActionItem,
    EvaluationSummary,
    Matter,
    MatterDetail,
    Meeting,
    MeetingOutcome,
    MemberContact,
    PlanningStep,
    ProgressUpdate,
)
from services.portal.security import csrf_valid
from services.portal.templating import today

router = APIRouter(include_in_schema=False)

CoordinatorDep = Annotated[Me, Depends(member_of("meetings"))]
SECTION_PATH = "/meetings"
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,300}\.[A-Za-z0-9_-]{1,64}")
CALENDAR_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# The field ids of the form that adds a participant on the meeting's page.
NEW_PARTICIPANT = "new-participant"


def page_context(me: Me, current: str, **values: Any) -> dict[str, Any]:
    """What every meetings page shows: the main menu with this section current, and the
    section's own menu with ``current`` (a path) marked."""
    return {
        "me": me,
        "sections": sections_for(me.roles),
        "current_path": SECTION_PATH,
        "meetings_current": current,
        **values,
    }


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def matter_path(matter_id: str) -> str:
    return f"{SECTION_PATH}/matters/{matter_id}"


def meeting_path(meeting_id: str) -> str:
    return f"{SECTION_PATH}/{meeting_id}"


def now() -> datetime:
    return datetime.now(UTC)


async def members_of(api: Api) -> list[MemberContact]:
    return await api.read_or_none(list[MemberContact], "/users") or []


def member_options(members: list[MemberContact]) -> list[tuple[str, str]]:
    return sorted(((m.id, m.display_name) for m in members), key=lambda pair: pair[1].lower())


async def find_matter(reminders: Api, matter_id: str) -> MatterDetail:
    """One matter of the organisation, with its tasks and progress updates."""
    return await reminders.read(MatterDetail, f"/matters/{matter_id}")


def closed_matter(gettext: Translate) -> str:
    return gettext("The matter is closed. Reopen it on its page before changing it.")


def warnings_of(meeting: Meeting, catalogue: GNUTranslations) -> list[str]:
    """Reminders' warnings in the page's language (one it does not know stays as it is)."""
    said = []
    for warning in meeting.warnings:
        if warning.code == "too_many_participants":
            said.append(
                catalogue.ngettext(
                    "This meeting has %(num)d participant. A discussion meeting works best "
                    "with at most %(max)d people: consider inviting fewer.",
                    "This meeting has %(num)d participants. A discussion meeting works best "
                    "with at most %(max)d people: consider inviting fewer.",
                    warning.participants,
                )
                % {"num": warning.participants, "max": warning.limit}
            )
        else:
            said.append(warning.message)
    return said


# -- matters -------------------------------------------------------------------------------


@router.get("/meetings")
async def matters(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
) -> Response:
    found, members = await asyncio.gather(reminders.read(list[Matter], "/matters"), members_of(api))
    return templates.render(
        request,
        "meetings/matters.html",
        page_context(
            me, SECTION_PATH, matters=found, member_names={m.id: m.display_name for m in members}
        ),
        private=True,
    )


async def _matter_form(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    form: MatterForm,
    *,
    matter: Matter | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    """The form that raises a matter, or changes ``matter``."""
    members = await members_of(api)
    return templates.render(
        request,
        "meetings/matter_form.html",
        page_context(
            me,
            f"{SECTION_PATH}/matters/new" if matter is None else SECTION_PATH,
            form=form,
            matter=matter,
            action=f"{matter_path(matter.id)}/edit" if matter else f"{SECTION_PATH}/matters/new",
            members=member_options(members),
            today=today().isoformat(),
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/matters/new")
async def new_matter(
    request: Request, templates: TemplatesDep, api: ApiDep, me: CoordinatorDep
) -> Response:
    return await _matter_form(request, templates, api, me, MatterForm(contact_user_id=me.user.id))


@router.post("/meetings/matters/new")
async def create_matter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = MatterForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _matter_form(
            request, templates, api, me, form,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    errors = form.check(gettext, today())
    form_error = ""
    if not errors:
        try:
            matter = await reminders.write(Matter, "POST", "/matters", form.payload())
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors, form_error = exc.at_fields(
                lambda field, message: form.api_error(field, message, gettext)
            )
        else:
            notify(request, "matter_created")
            return see_other(f"{matter_path(matter.id)}/planning")
    return await _matter_form(
        request, templates, api, me, form, errors=errors, form_error=form_error, status_code=422
    )


@router.get("/meetings/matters/{matter_id}")
async def matter_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    return await _matter_page(request, templates, api, reminders, me, matter_id)


async def _matter_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    matter_id: str,
    *,
    update_text: str = "",
    errors: dict[str, str] | None = None,
    sent: ProgressUpdate | None = None,
    status_code: int = 200,
) -> Response:
    matter = await find_matter(reminders, matter_id)
    base = f"/matters/{matter.id}"
    series, steps, evaluations, members = await asyncio.gather(
        reminders.read(list[Meeting], f"{base}/meetings"),
        reminders.read(list[PlanningStep], f"{base}/steps"),
        reminders.read(EvaluationSummary, f"{base}/evaluations"),
        members_of(api),
    )
    upcoming = [m for m in series if m.changeable and m.ends_at > now()]
    return templates.render(
        request,
        "meetings/matter.html",
        page_context(
            me,
            SECTION_PATH,
            matter=matter,
            closed=matter.status == "closed",
            series=series,
            next_meeting=upcoming[0] if upcoming else None,
            steps_done=sum(1 for s in steps if s.status in ("done", "not_needed")),
            steps_total=len(steps),
            summary=evaluations,
            member_names={m.id: m.display_name for m in members},
            update_text=update_text,
            sent=sent,
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/matters/{matter_id}/edit")
async def edit_matter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    matter = await find_matter(reminders, matter_id)
    if matter.status == "closed":
        return see_other(matter_path(matter.id))
    form = MatterForm.from_matter(matter)
    return await _matter_form(request, templates, api, me, form, matter=matter)


@router.post("/meetings/matters/{matter_id}/edit")
async def save_matter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    """Sends only what changed; the same checks as raising a matter, and reminders'
    refusals at their fields."""
    gettext = templates.gettext(request).gettext
    matter = await find_matter(reminders, matter_id)
    data = await request.form()
    form = MatterForm.from_form(data)
    errors: dict[str, str] = {}
    form_error = ""
    status_code = 422
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = gettext("The page had expired. Check the details and save again.")
        status_code = 400
    elif matter.status == "closed":
        form_error = closed_matter(gettext)
        status_code = 409
    else:
        errors = form.check(gettext, today(), editing=True)
    if not errors and not form_error:
        changes = form.change_payload(matter)
        if not changes:
            notify(request, "matter_saved")
            return see_other(matter_path(matter.id))
        try:
            await reminders.write(MatterDetail, "PATCH", f"/matters/{matter.id}", changes)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            if exc.field == "status":
                form_error = closed_matter(gettext)
            else:
                errors, form_error = exc.at_fields(
                    lambda field, message: form.api_error(field, message, gettext)
                )
        else:
            notify(request, "matter_saved")
            return see_other(matter_path(matter.id))
    return await _matter_form(
        request, templates, api, me, form, matter=matter,
        errors=errors, form_error=form_error, status_code=status_code,
    )  # fmt: skip


@router.post("/meetings/matters/{matter_id}/status")
async def close_or_reopen(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    """Closing ends the matter's series (reminders removes a next meeting it only proposed);
    reopening lets meetings be planned again."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    status = text_of(data, "status")
    message = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        message = expired(gettext)
    elif status not in ("open", "closed"):
        message = gettext("This could not be done. Reload the page and try again.")
    else:
        try:
            await reminders.write(
                MatterDetail, "PATCH", f"/matters/{matter_id}", {"status": status}
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            message = gettext("This could not be done. Reload the page and try again.")
        else:
            notify(request, "matter_closed" if status == "closed" else "matter_reopened")
            return see_other(matter_path(matter_id))
    return await _matter_page(
        request, templates, api, reminders, me, matter_id,
        errors={"matter-status": message}, status_code=422,
    )  # fmt: skip


@router.post("/meetings/matters/{matter_id}/action-items/{item_id}")
async def mark_action_item(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
    item_id: str,
) -> Response:
    """A task done (its reminder to the owner is cancelled) or not done after all (the
    reminder comes back)."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    done = text_of(data, "done")
    field_id = f"item-{item_id}-done"
    message = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        message = expired(gettext)
    elif done not in ("true", "false"):
        message = gettext("This could not be done. Reload the page and try again.")
    else:
        try:
            item = await reminders.write(
                ActionItem, "PATCH", f"/action-items/{item_id}", {"done": done == "true"}
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            message = gettext("This could not be done. Reload the page and try again.")
        else:
            notify(request, "action_item_done" if item.done else "action_item_undone")
            return see_other(f"{matter_path(matter_id)}#item-{item.id}")
    return await _matter_page(
        request, templates, api, reminders, me, matter_id,
        errors={field_id: message}, status_code=422,
    )  # fmt: skip


@router.post("/meetings/matters/{matter_id}/updates")
async def progress_update(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    """Sends a progress update to the participants of the latest meeting. The answer (with
    the news item for the newsletter) is shown at once on the matter's page, above the
    earlier updates."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    text = text_of(data, "text")
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["update-text"] = expired(gettext)
    elif len(text) < 3:
        errors["update-text"] = gettext("Write how the matter is going.")
    elif len(text) > 10000:
        errors["update-text"] = gettext("Shorten this to at most 10000 characters.")
    if errors:
        return await _matter_page(
            request, templates, api, reminders, me, matter_id,
            update_text=text, errors=errors, status_code=422,
        )  # fmt: skip
    sent = await reminders.write(
        ProgressUpdate, "POST", f"/matters/{matter_id}/updates", {"text": text}
    )
    return await _matter_page(request, templates, api, reminders, me, matter_id, sent=sent)


# -- the planning checklist ----------------------------------------------------------------


async def _planning_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    matter_id: str,
    *,
    values: dict[str, StepForm] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    matter = await find_matter(reminders, matter_id)
    steps, members = await asyncio.gather(
        reminders.read(list[PlanningStep], f"/matters/{matter.id}/steps"), members_of(api)
    )
    forms = {
        step.id: StepForm(
            owner_user_id=step.owner_user_id or "",
            status=step.status,
            due_on=step.due_on.isoformat() if step.due_on else "",
            note=step.note,
        )
        for step in steps
    }
    forms.update(values or {})
    return templates.render(
        request,
        "meetings/planning.html",
        page_context(
            me,
            SECTION_PATH,
            matter=matter,
            steps=steps,
            step_forms=forms,
            members=member_options(members),
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/matters/{matter_id}/planning")
async def planning(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    return await _planning_page(request, templates, api, reminders, me, matter_id)


@router.post("/meetings/matters/{matter_id}/planning/{step_id}")
async def save_step(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
    step_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = StepForm.from_form(data)
    prefix = f"step-{step_id}"
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors[f"{prefix}-status"] = expired(gettext)
    else:
        errors = form.check(prefix, gettext)
    if not errors:
        try:
            await reminders.send(
                "PATCH", f"/matters/{matter_id}/steps/{step_id}", json=form.payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            name = (exc.field or "").split(".")[0]
            if name == "owner_user_id":
                errors[f"{prefix}-owner"] = gettext("Choose a member of your organisation.")
            elif name == "due_on":
                errors[f"{prefix}-due_on"] = gettext("Enter the day as a date, like 1.3.2031.")
            else:
                errors[f"{prefix}-status"] = gettext(
                    "Saving did not succeed. Check the details and try again."
                )
    if errors:
        return await _planning_page(
            request, templates, api, reminders, me, matter_id,
            values={step_id: form}, errors=errors, status_code=422,
        )  # fmt: skip
    notify(request, "step_saved")
    return see_other(f"{matter_path(matter_id)}/planning#{prefix}")


# -- a new meeting -------------------------------------------------------------------------


def _earlier_participants(series: list[Meeting]) -> list[ParticipantRow]:
    """The participants of the series' latest meeting that went ahead, to start from."""
    for meeting in reversed(series):
        if meeting.status != "cancelled":
            return [
                ParticipantRow(
                    role=p.role if p.role in PARTICIPANT_ROLES else "",
                    user_id=p.user_id or "",
                    name=p.name,
                    email=p.email,
                )
                for p in meeting.participants
            ]
    return []


async def _meeting_form(
    request: Request,
    templates: TemplatesDep,
    members: list[MemberContact],
    me: Me,
    matter: Matter,
    form: MeetingForm,
    *,
    meeting: Meeting | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    action = (
        f"{meeting_path(meeting.id)}/edit" if meeting else f"{matter_path(matter.id)}/meetings/new"
    )
    return templates.render(
        request,
        "meetings/meeting_form.html",
        page_context(
            me,
            SECTION_PATH,
            matter=matter,
            meeting=meeting,
            form=form,
            action=action,
            members=member_options(members),
            warning_limit=PARTICIPANT_WARNING,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/matters/{matter_id}/meetings/new")
async def new_meeting(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    matter = await find_matter(reminders, matter_id)
    if matter.status == "closed":
        return see_other(matter_path(matter.id))
    series, members = await asyncio.gather(
        reminders.read(list[Meeting], f"/matters/{matter.id}/meetings"), members_of(api)
    )
    form = MeetingForm.new(_earlier_participants(series))
    return await _meeting_form(request, templates, members, me, matter, form)


@router.post("/meetings/matters/{matter_id}/meetings/new")
async def create_meeting(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    matter_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    matter, members = await asyncio.gather(find_matter(reminders, matter_id), members_of(api))
    data = await request.form()
    form = MeetingForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _meeting_form(
            request, templates, members, me, matter, form,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    action = text_of(data, "action") or "save"
    if action != "save":
        form.apply(action)
        return await _meeting_form(request, templates, members, me, matter, form)
    form.fill_from_members({m.id: m for m in members})
    errors = form.check(gettext, now())
    form_error = ""
    if not errors:
        try:
            meeting = await reminders.write(
                Meeting, "POST", f"/matters/{matter.id}/meetings", form.payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            if exc.field == "status":
                form_error = closed_matter(gettext)
            else:
                errors, form_error = exc.at_fields(lambda field, _: form.api_error(field, gettext))
        else:
            if form.invite and meeting.participants:
                await reminders.send("POST", f"/meetings/{meeting.id}/invitations")
                notify(request, "meeting_invited")
            else:
                notify(request, "meeting_created")
            return see_other(meeting_path(meeting.id))
    return await _meeting_form(
        request, templates, members, me, matter, form,
        errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip


# -- the calendar subscriptions and the evaluations across matters -------------------------
# (fixed paths, before /meetings/{meeting_id})


@router.get("/meetings/calendar")
async def calendar_addresses(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: CoordinatorDep
) -> Response:
    feeds = await reminders.read(dict[str, str], "/calendar/feeds")
    return templates.render(
        request,
        "meetings/calendar.html",
        page_context(
            me,
            f"{SECTION_PATH}/calendar",
            mine=feeds.get("user_url", ""),
            everyone=feeds.get("organisation_url", ""),
        ),
        private=True,
    )


@router.get("/meetings/evaluations")
async def all_evaluations(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: CoordinatorDep
) -> Response:
    summary, found = await asyncio.gather(
        reminders.read(EvaluationSummary, "/evaluations"), reminders.read(list[Matter], "/matters")
    )
    return templates.render(
        request,
        "meetings/evaluations.html",
        page_context(me, f"{SECTION_PATH}/evaluations", summary=summary, matters=found),
        private=True,
    )


# -- a meeting -----------------------------------------------------------------------------


async def _meeting_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    meeting_id: str,
    *,
    newcomer: ParticipantRow | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    meeting = await reminders.read(Meeting, f"/meetings/{meeting_id}")
    matter, members = await asyncio.gather(
        find_matter(reminders, meeting.matter_id), members_of(api)
    )
    replies: dict[str, int] = {}
    for person in meeting.participants:
        replies[person.reply] = replies.get(person.reply, 0) + 1
    return templates.render(
        request,
        "meetings/meeting.html",
        page_context(
            me,
            SECTION_PATH,
            meeting=meeting,
            matter=matter,
            warnings=warnings_of(meeting, templates.gettext(request)),
            replies=[(reply, replies[reply]) for reply in REPLIES if reply in replies],
            member_names={m.id: m.display_name for m in members},
            members=member_options(members),
            newcomer=newcomer or ParticipantRow(),
            newcomer_prefix=NEW_PARTICIPANT,
            past=meeting.starts_at <= now(),
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/{meeting_id}")
async def meeting_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    return await _meeting_page(request, templates, api, reminders, me, meeting_id)


async def _meeting_action(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    meeting_id: str,
    field_id: str,
    method: str,
    path: str,
    body: Any = None,
) -> Meeting | Response:
    """A button on the meeting's page: the answer, or the page again with the refusal at
    the button (``field_id``)."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    message = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        message = expired(gettext)
    else:
        try:
            return await reminders.write(Meeting, method, path, body)
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            message = _refusal(exc, gettext)
    return await _meeting_page(
        request, templates, api, reminders, me, meeting_id,
        errors={field_id: message}, status_code=422,
    )  # fmt: skip


def _refusal(exc: Rejected, gettext: Translate) -> str:
    if exc.field == "participants":
        return gettext("Add participants before sending the invitations.")
    if exc.field == "sequence":
        return gettext(
            "The invitations to this version of the meeting have been sent already. A change "
            "of time or place is sent as an update by itself."
        )
    if exc.field == "status":
        return gettext("This cannot be done to a meeting that was held or cancelled.")
    return gettext("This could not be done. Reload the page and try again.")


@router.post("/meetings/{meeting_id}/invitations")
async def send_invitations(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    answer = await _meeting_action(
        request, templates, api, reminders, me, meeting_id,
        "invite", "POST", f"/meetings/{meeting_id}/invitations",
    )  # fmt: skip
    if isinstance(answer, Response):
        return answer
    notify(request, "meeting_invited")
    return see_other(f"{meeting_path(meeting_id)}#participants")


@router.post("/meetings/{meeting_id}/cancel")
async def cancel_meeting(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    before = await reminders.read(Meeting, f"/meetings/{meeting_id}")
    answer = await _meeting_action(
        request, templates, api, reminders, me, meeting_id,
        "cancel", "POST", f"/meetings/{meeting_id}/cancel",
    )  # fmt: skip
    if isinstance(answer, Response):
        return answer
    sent = answer.sequence > before.sequence
    notify(request, "meeting_cancelled_sent" if sent else "meeting_cancelled")
    return see_other(meeting_path(meeting_id))


@router.post("/meetings/{meeting_id}/participants")
async def add_participant(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    """Someone joins a planned or proposed meeting; once it has been invited to, reminders
    sends them the invitation at once."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    newcomer = ParticipantRow.from_form(data, NEW_PARTICIPANT)
    errors: dict[str, str] = {}
    form_error = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = expired(gettext)
    else:
        newcomer.fill_from({m.id: m for m in await members_of(api)})
        errors = newcomer.check(NEW_PARTICIPANT, gettext)
    if not errors and not form_error:
        try:
            meeting = await reminders.write(
                Meeting, "POST", f"/meetings/{meeting_id}/participants", newcomer.payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            if exc.field == "status":
                form_error = _refusal(exc, gettext)
            else:
                part = (exc.field or "").rsplit(".", 1)[-1]
                target, message = ParticipantRow.api_error(NEW_PARTICIPANT, part, gettext)
                errors[target] = message
        else:
            notify(request, "participant_added_invited" if meeting.invited else "participant_added")
            return see_other(f"{meeting_path(meeting_id)}#participants")
    return await _meeting_page(
        request, templates, api, reminders, me, meeting_id,
        newcomer=newcomer, errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip


@router.post("/meetings/{meeting_id}/participants/{participant_id}/remove")
async def remove_participant(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
    participant_id: str,
) -> Response:
    """Someone is taken off; if the invitations went out, reminders sends them (and only
    them) a cancellation."""
    answer = await _meeting_action(
        request, templates, api, reminders, me, meeting_id,
        f"participant-{participant_id}-remove",
        "DELETE", f"/meetings/{meeting_id}/participants/{participant_id}",
    )  # fmt: skip
    if isinstance(answer, Response):
        return answer
    notify(request, "participant_removed_cancelled" if answer.invited else "participant_removed")
    return see_other(f"{meeting_path(meeting_id)}#participants")


@router.post("/meetings/{meeting_id}/participants/{participant_id}/reply")
async def record_reply(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
    participant_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    reply = text_of(data, "reply")
    field_id = f"participant-{participant_id}-reply"
    if reply not in REPLIES:
        return await _meeting_page(
            request, templates, api, reminders, me, meeting_id,
            errors={field_id: gettext("Choose the reply.")}, status_code=422,
        )  # fmt: skip
    answer = await _meeting_action(
        request, templates, api, reminders, me, meeting_id, field_id,
        "PUT", f"/meetings/{meeting_id}/participants/{participant_id}/reply", {"reply": reply},
    )  # fmt: skip
    if isinstance(answer, Response):
        return answer
    notify(request, "reply_recorded")
    return see_other(f"{meeting_path(meeting_id)}#participant-{participant_id}")


@router.post("/meetings/{meeting_id}/participants/{participant_id}/confirmation")
async def confirm_outcome(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
    participant_id: str,
) -> Response:
    answer = await _meeting_action(
        request, templates, api, reminders, me, meeting_id,
        f"participant-{participant_id}-confirm",
        "POST", f"/meetings/{meeting_id}/participants/{participant_id}/confirmation",
    )  # fmt: skip
    if isinstance(answer, Response):
        return answer
    notify(request, "outcome_confirmed")
    return see_other(f"{meeting_path(meeting_id)}#participant-{participant_id}")


# -- changing a meeting ----------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/edit")
async def edit_meeting(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    meeting = await reminders.read(Meeting, f"/meetings/{meeting_id}")
    if not meeting.changeable:
        return see_other(meeting_path(meeting.id))
    matter = await find_matter(reminders, meeting.matter_id)
    form = MeetingForm.from_meeting(meeting)
    return await _meeting_form(request, templates, [], me, matter, form, meeting=meeting)


def _changes(form: MeetingForm, meeting: Meeting) -> dict[str, Any]:
    """Only what differs from the meeting as it is: an unchanged meeting sends no update."""
    wanted = form.change_payload()
    changes = {}
    for name in ("place", "online_link", "agenda"):
        if wanted[name] != getattr(meeting, name):
            changes[name] = wanted[name]
    for name in ("starts_at", "ends_at"):
        if datetime.fromisoformat(wanted[name]) != getattr(meeting, name):
            changes[name] = wanted[name]
    if "ends_at" in changes and "starts_at" not in changes:
        changes["starts_at"] = wanted["starts_at"]
    return changes


@router.post("/meetings/{meeting_id}/edit")
async def save_meeting(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    meeting = await reminders.read(Meeting, f"/meetings/{meeting_id}")
    matter = await find_matter(reminders, meeting.matter_id)
    data = await request.form()
    form = MeetingForm.from_form(data)
    errors: dict[str, str] = {}
    form_error = ""
    status_code = 422
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = gettext("The page had expired. Check the details and save again.")
        status_code = 400
    elif not meeting.changeable:
        form_error = gettext("This cannot be done to a meeting that was held or cancelled.")
        status_code = 409
    else:
        errors = form.check_change(gettext, now())
    if not errors and not form_error:
        changes = _changes(form, meeting)
        if not changes:
            notify(request, "meeting_saved")
            return see_other(meeting_path(meeting.id))
        try:
            changed = await reminders.write(Meeting, "PATCH", f"/meetings/{meeting.id}", changes)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            if exc.field == "status":
                form_error = gettext("This cannot be done to a meeting that was held or cancelled.")
            else:
                errors, form_error = exc.at_fields(lambda field, _: form.api_error(field, gettext))
        else:
            sent = changed.sequence > meeting.sequence
            notify(request, "meeting_updated_sent" if sent else "meeting_saved")
            return see_other(meeting_path(meeting.id))
    return await _meeting_form(
        request, templates, [], me, matter, form, meeting=meeting,
        errors=errors, form_error=form_error, status_code=status_code,
    )  # fmt: skip


# -- the outcome -----------------------------------------------------------------------------


async def _outcome_form(
    request: Request,
    templates: TemplatesDep,
    members: list[MemberContact],
    me: Me,
    meeting: Meeting,
    matter: Matter,
    form: OutcomeForm,
    *,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    return templates.render(
        request,
        "meetings/outcome_form.html",
        page_context(
            me,
            SECTION_PATH,
            meeting=meeting,
            matter=matter,
            form=form,
            members=member_options(members),
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


async def _held_meeting(reminders: Api, meeting_id: str) -> tuple[Meeting, Matter]:
    meeting = await reminders.read(Meeting, f"/meetings/{meeting_id}")
    return meeting, await find_matter(reminders, meeting.matter_id)


@router.get("/meetings/{meeting_id}/outcome")
async def outcome_form(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    (meeting, matter), members = await asyncio.gather(
        _held_meeting(reminders, meeting_id), members_of(api)
    )
    if meeting.status != "planned":
        return see_other(meeting_path(meeting.id))
    return await _outcome_form(request, templates, members, me, meeting, matter, OutcomeForm())


@router.post("/meetings/{meeting_id}/outcome")
async def record_outcome(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    (meeting, matter), members = await asyncio.gather(
        _held_meeting(reminders, meeting_id), members_of(api)
    )
    data = await request.form()
    form = OutcomeForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _outcome_form(
            request, templates, members, me, meeting, matter, form,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    action = text_of(data, "action") or "save"
    if action != "save":
        form.apply(action)
        return await _outcome_form(request, templates, members, me, meeting, matter, form)
    errors = form.check(gettext, now(), {m.id: m for m in members})
    form_error = ""
    if not errors:
        try:
            recorded = await reminders.write(
                MeetingOutcome, "POST", f"/meetings/{meeting.id}/outcome", form.payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            if exc.field == "status":
                form_error = gettext("The outcome of this meeting has been recorded already.")
            elif exc.field == "next_meeting_starts_at" and matter.status == "closed":
                errors["next_day"] = gettext(
                    "The matter is closed: no next meeting is planned for it. Leave the next "
                    "meeting empty, or reopen the matter first."
                )
            else:
                errors, form_error = exc.at_fields(lambda field, _: form.api_error(field, gettext))
        else:
            following = recorded.next_meeting is not None
            notify(request, "outcome_recorded" if following else "outcome_recorded_no_next")
            return see_other(f"{matter_path(matter.id)}#series")
    return await _outcome_form(
        request, templates, members, me, meeting, matter, form,
        errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip


# -- the evaluation --------------------------------------------------------------------------


async def _evaluation_form(
    request: Request,
    templates: TemplatesDep,
    reminders: Api,
    me: Me,
    meeting_id: str,
    form: EvaluationForm,
    *,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    meeting, matter = await _held_meeting(reminders, meeting_id)
    return templates.render(
        request,
        "meetings/evaluation_form.html",
        page_context(
            me,
            SECTION_PATH,
            meeting=meeting,
            matter=matter,
            form=form,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/meetings/{meeting_id}/evaluation")
async def evaluation_form(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    return await _evaluation_form(request, templates, reminders, me, meeting_id, EvaluationForm())


@router.post("/meetings/{meeting_id}/evaluation")
async def save_evaluation(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: CoordinatorDep,
    meeting_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = EvaluationForm.from_form(data)
    errors: dict[str, str] = {}
    form_error = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = gettext("The page had expired. Check the details and save again.")
    else:
        errors = form.check(gettext)
    if not errors and not form_error:
        try:
            await reminders.send("POST", f"/meetings/{meeting_id}/evaluations", json=form.payload())
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            form_error = (
                gettext("A meeting is evaluated after it has been held and its outcome recorded.")
                if exc.field == "status"
                else gettext("Saving did not succeed. Check the details and try again.")
            )
        else:
            notify(request, "evaluation_saved")
            return see_other(f"{meeting_path(meeting_id)}/evaluation")
    return await _evaluation_form(
        request, templates, reminders, me, meeting_id, form,
        errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip


# -- a calendar feed (no login) --------------------------------------------------------------


@router.get("/calendar/{token}.ics")
async def calendar_feed(reminders: RemindersDep, token: str) -> Response:
    """A calendar subscription address when it points at the portal: passed on to reminders
    unchanged. Calendar programs cannot log in: the token in the address is the key, and
    reminders checks it."""
    if not CALENDAR_TOKEN.fullmatch(token):
        return Response(status_code=404)
    answer = await reminders.forward("GET", f"/calendar/{token}.ics")
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type", "text/calendar; charset=utf-8"),
        headers={
            "Content-Security-Policy": CALENDAR_POLICY,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
