"""The district pages: a quick note of what was heard in a district today, the latest
notes, and who covers which district with the partner counts (the team of a district is
set by admins and coordinators)."""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from services.portal.deps import Api, ApiDep, TemplatesDep, member_of
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.partner_pages import districts_of
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import Coverage, KnowledgeNotePage, Member
from services.portal.security import csrf_valid
from services.portal.templating import today
from shared.reference_data.manifest import DEMO_SOURCE

router = APIRouter(include_in_schema=False)

TeamDep = Annotated[Me, Depends(member_of("districts"))]
NOTES_SHOWN = 20
LEADS = ("admin", "coordinator")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    *,
    district: str = "",
    assign: str = "",
    note: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    params: dict[str, Any] = {"page_size": NOTES_SHOWN}
    if district:
        params["district"] = district
    districts, notes, coverage, members = await asyncio.gather(
        districts_of(api),
        api.read_or_none(KnowledgeNotePage, "/district-notes", params),
        api.read_or_none(Coverage, "/district-assignments"),
        api.read_or_none(list[Member], "/users"),
    )
    names = {d.code: d.name_fi for d in districts or []}
    member_names = {m.id: m.display_name for m in members or []}
    assigned_now = []
    if coverage and assign:
        assigned_now = [
            a.user_id for d in coverage.districts if d.district_code == assign for a in d.assignees
        ]
    return templates.render(
        request,
        "districts.html",
        {
            "me": me,
            "sections": sections_for(me.roles),
            "districts": districts or [],
            "demo_reference": any(d.source == DEMO_SOURCE for d in districts or []),
            "district_names": names,
            "available": districts is not None and notes is not None,
            "notes": notes,
            "coverage": coverage,
            "members": members or [],
            "member_names": member_names,
            "member_choices": [(m.id, m.display_name) for m in members or []],
            "may_assign": bool(set(LEADS) & set(me.roles)),
            "district": district,
            "assign": assign,
            "assigned_now": assigned_now,
            "note": note or {"district_code": district, "noted_on": today().isoformat()},
            "errors": errors or {},
            "today": today().isoformat(),
        },
        private=True,
        status_code=status_code,
    )


@router.get("/districts")
async def districts_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: TeamDep,
    district: str = "",
    assign: str = "",
) -> Response:
    return await _page(
        request, templates, api, me, district=district.strip()[:16], assign=assign.strip()[:16]
    )


NOTE_FIELDS = {
    "district_code": "note-district_code",
    "question": "note-question",
    "answer": "note-answer",
    "noted_on": "note-noted_on",
}


@router.post("/districts/notes")
async def add_note(request: Request, templates: TemplatesDep, api: ApiDep, me: TeamDep) -> Response:
    gettext = templates.gettext(request).gettext
    form = await request.form()
    note = {name: _text(form, name) for name in NOTE_FIELDS}
    errors: dict[str, str] = {}
    if not csrf_valid(request, _text(form, "csrf_token")):
        errors["note-district_code"] = gettext("The page had expired. Send the form again.")
    else:
        if not note["district_code"]:
            errors["note-district_code"] = gettext("Choose the district.")
        if not note["question"]:
            errors["note-question"] = gettext("Write what you asked or talked about.")
        if not note["answer"]:
            errors["note-answer"] = gettext("Write what you heard.")
    if not errors:
        body = {k: v for k, v in note.items() if v}
        try:
            await api.send("POST", "/district-notes", json=body)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            target = NOTE_FIELDS.get(exc.field or "", "note-question")
            errors[target] = {
                "note-district_code": gettext("Choose a district from the list."),
                "note-noted_on": gettext("The date cannot be in the future."),
            }.get(target, gettext("Shorten this to at most 4000 characters."))
    if errors:
        return await _page(request, templates, api, me, note=note, errors=errors, status_code=422)
    notify(request, "note_saved")
    return RedirectResponse("/districts#notes", 303)


@router.post("/districts/assignments")
async def set_team(request: Request, templates: TemplatesDep, api: ApiDep, me: TeamDep) -> Response:
    gettext = templates.gettext(request).gettext
    form = await request.form()
    code = _text(form, "district_code")
    user_ids = [v for v in form.getlist("user_id") if isinstance(v, str)]
    errors: dict[str, str] = {}
    if not csrf_valid(request, _text(form, "csrf_token")):
        errors["assign-district_code"] = gettext("The page had expired. Send the form again.")
    elif not code:
        errors["assign-district_code"] = gettext("Choose the district.")
    if not errors:
        try:
            await api.send("PUT", f"/district-assignments/{code}", json={"user_ids": user_ids})
        except Rejected as exc:
            if exc.status == 403:
                errors["assign-district_code"] = gettext(
                    "Only admins and network coordinators can set a district's team."
                )
            elif exc.status in (404, 422):
                target = "assign-user_id" if exc.field == "user_ids" else "assign-district_code"
                errors[target] = (
                    gettext("Choose members of your organisation.")
                    if target == "assign-user_id"
                    else gettext("Choose a district from the list.")
                )
            else:
                raise
    if errors:
        return await _page(request, templates, api, me, assign=code, errors=errors, status_code=422)
    notify(request, "assignments_saved")
    return RedirectResponse("/districts#coverage", 303)
