"""Eco-maps: for staff, a support user's eco-map drawn and edited together with the person
(members added, changed and removed, the guiding questions, snapshots, the history and a
comparison of two moments, downloads); for the support user, their own eco-map in plain
words and the steps to add a person. Routes translate between HTML forms and matching's
API; matching decides who may do what."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException

from services.portal.deps import Api, ApiDep, MatchingApiDep, TemplatesDep, member_of
from services.portal.drawings import DrawingUnreadable, inline_svg
from services.portal.eco_map_form import (
    FIELDS,
    LABEL_MAX,
    MemberForm,
    field_id,
    support_known,
)
from services.portal.i18n import N_, request_language
from services.portal.labels import ECO_RELATIONS, ECO_RINGS, ECO_SUPPORT
from services.portal.navigation import sections_for
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import (
    EcoMap,
    EcoMapComparison,
    EcoMapMember,
    EcoMapMetrics,
    EcoMapSnapshot,
    EcoMapSnapshotDetail,
    Partner,
    PartnerPage,
    SupportUser,
)
from services.portal.security import csrf_valid
from services.portal.support_user_form import text_of
from services.portal.templating import DATE_LOCALES
from services.portal.tokens import NOTICE

router = APIRouter(include_in_schema=False)

WorkerDep = Annotated[Me, Depends(member_of("support_users"))]
SupportUserDep = Annotated[Me, Depends(member_of("my_network"))]
SECTION_PATH = "/support-users"
MY_PATH = "/my-network/eco-map"
FORMATS = {"svg": "image/svg+xml", "graphml": "application/xml", "gexf": "application/xml",
           "json": "application/json"}  # fmt: skip
PARTNERS_OFFERED = 100  # the registry's largest page
# The support user's steps to add a person: one question at a time.
MY_STEPS = ("name", "relation", "ring", "support", "reciprocity", "frequency")

# One-shot notices of these pages, by code; the session holds only the code.
NOTICES = {
    "eco_member_added": N_("The member was added to the eco-map."),
    "eco_member_saved": N_("The member was saved."),
    "eco_member_removed": N_("The member was removed from the eco-map."),
    "eco_snapshot_saved": N_("The eco-map was saved as a snapshot. It is in the history."),
    "my_person_added": N_("Thank you! The person is now on your map."),
}


def notify(request: Request, code: str) -> None:
    request.session[NOTICE] = code


def take_notice(request: Request) -> str:
    """This page's pending notice (its message id), once; a notice of another page is left
    for that page."""
    if request.session.get(NOTICE) in NOTICES:
        return NOTICES[request.session.pop(NOTICE)]
    return ""


def page_context(request: Request, me: Me, **values: Any) -> dict[str, Any]:
    context = {"me": me, "sections": sections_for(me.roles), "current_path": SECTION_PATH}
    notice = take_notice(request)
    if notice:
        context["page_notice"] = notice
    return {**context, **values}


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def expired(gettext: Translate) -> str:
    return gettext("The page had expired. Send the form again.")


# -- what the pages read ---------------------------------------------------------------------


@dataclass
class RingGroup:
    ring: str
    members: list[EcoMapMember]


def by_ring(members: list[EcoMapMember]) -> list[RingGroup]:
    """The members ring by ring from the person outwards, each ring by name."""
    return [
        RingGroup(
            ring, sorted((m for m in members if m.ring == ring), key=lambda m: m.name.lower())
        )
        for ring in ECO_RINGS
    ]


async def drawing(
    matching: Api, base: str, language: str, label: str, snapshot: str = ""
) -> Markup | None:
    """Matching's drawing of the eco-map, ready to place in the page; ``None`` when it
    cannot be shown (the list beside it says the same in words)."""
    params = {"lang": language, **({"snapshot": snapshot} if snapshot else {})}
    answer = await matching.send("GET", f"{base}/eco-map.svg", params=params)
    try:
        return inline_svg(answer.content, "eco-map", label, "drawing__svg")
    except DrawingUnreadable:
        return None


async def _partner_options(api: Api, members: list[EcoMapMember]) -> list[tuple[str, str]]:
    """The organisation's own active partners for linking a member (the first page of
    them), and the partners members are linked to already."""
    params = {"scope": "own", "status": "active", "page_size": PARTNERS_OFFERED}
    found = await api.read_or_none(PartnerPage, "/partners", params)
    options = [(p.id, p.name) for p in (found.items if found else [])]
    known = {pid for pid, _ in options}
    linked = sorted({m.partner_id for m in members if m.partner_id and m.partner_id not in known})
    extra = await asyncio.gather(*(api.read_or_none(Partner, f"/partners/{pid}") for pid in linked))
    options += [(p.id, p.name) for p in extra if p is not None]
    return sorted(options, key=lambda pair: pair[1].lower())


def questions_in(eco: EcoMap, language: str) -> list[str]:
    return [q.en if language == "en" else q.fi for q in eco.guiding_questions]


# -- the staff page --------------------------------------------------------------------------


@dataclass
class SentForms:
    """What a form on the page sent back, and the errors keyed by field ids."""

    member: MemberForm | None = None
    snapshot_label: str = ""
    errors: dict[str, str] | None = None
    form_error: str = ""


async def render_eco_map(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    matching: Api,
    me: Me,
    support_user_id: str,
    sent: SentForms | None = None,
    status_code: int = 200,
) -> Response:
    sent = sent or SentForms()
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    base = f"/support-users/{support_user_id}"
    person = await matching.read(SupportUser, base)
    eco, snapshots = await asyncio.gather(
        matching.read(EcoMap, f"{base}/eco-map"),
        matching.read(list[EcoMapSnapshot], f"{base}/eco-map/snapshots"),
    )
    label = gettext(
        "The eco-map of %(name)s, members: %(count)d. The list below says the same."
    ) % {
        "name": person.name,
        "count": len(eco.members),
    }
    svg, partners = await asyncio.gather(
        drawing(matching, base, language, label), _partner_options(api, eco.members)
    )
    return templates.render(
        request,
        "eco_map/staff.html",
        page_context(
            request,
            me,
            person=person,
            eco=eco,
            drawing=svg,
            rings=by_ring(eco.members),
            questions=questions_in(eco, language),
            partners=partners,
            partner_names=dict(partners),
            form=sent.member or MemberForm(),
            snapshots=snapshots,
            snapshot_label=sent.snapshot_label,
            errors=sent.errors or {},
            form_error=sent.form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/support-users/{support_user_id}/eco-map")
async def eco_map_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    return await render_eco_map(request, templates, api, matching, me, support_user_id)


async def _save_member(
    matching: Api, path: str, method: str, form: MemberForm, gettext: Translate
) -> tuple[dict[str, str], str]:
    """Sends the member to matching; its refusal as (errors by field id, form error)."""
    errors = form.check(gettext)
    if errors:
        return errors, ""
    try:
        await matching.send(method, path, json=form.payload())
    except Rejected as exc:
        if exc.status not in (400, 404, 409, 422):
            raise
        return exc.at_fields(lambda field, message: form.api_error(field, message, gettext))
    return {}, ""


@router.post("/support-users/{support_user_id}/eco-map/members")
async def add_member(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = MemberForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors, form_error = {field_id("name"): expired(gettext)}, ""
    else:
        path = f"/support-users/{support_user_id}/eco-map/members"
        errors, form_error = await _save_member(matching, path, "POST", form, gettext)
    if errors or form_error:
        sent = SentForms(member=form, errors=errors, form_error=form_error)
        return await render_eco_map(
            request, templates, api, matching, me, support_user_id, sent, 422
        )
    notify(request, "eco_member_added")
    return see_other(f"/support-users/{support_user_id}/eco-map#members")


async def _member(matching: Api, support_user_id: str, member_id: str) -> EcoMapMember:
    eco = await matching.read(EcoMap, f"/support-users/{support_user_id}/eco-map")
    for member in eco.members:
        if member.id == member_id:
            return member
    raise HTTPException(404)


async def _member_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    matching: Api,
    me: Me,
    support_user_id: str,
    member: EcoMapMember,
    form: MemberForm,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    person, partners = await asyncio.gather(
        matching.read(SupportUser, f"/support-users/{support_user_id}"),
        _partner_options(api, [member]),
    )
    return templates.render(
        request,
        "eco_map/member_form.html",
        page_context(
            request,
            me,
            person=person,
            member=member,
            form=form,
            partners=partners,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/support-users/{support_user_id}/eco-map/members/{member_id}/edit")
async def edit_member(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    member_id: str,
) -> Response:
    member = await _member(matching, support_user_id, member_id)
    form = MemberForm.from_member(member)
    return await _member_page(request, templates, api, matching, me, support_user_id, member, form)


@router.post("/support-users/{support_user_id}/eco-map/members/{member_id}/edit")
async def save_member(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    member_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    member = await _member(matching, support_user_id, member_id)
    data = await request.form()
    form = MemberForm.from_form(data)
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = gettext("The page had expired. Check the details and save again.")
    else:
        path = f"/support-users/{support_user_id}/eco-map/members/{member_id}"
        errors, form_error = await _save_member(matching, path, "PATCH", form, gettext)
    if errors or form_error:
        return await _member_page(
            request, templates, api, matching, me, support_user_id, member, form,
            errors, form_error, 422,
        )  # fmt: skip
    notify(request, "eco_member_saved")
    return see_other(f"/support-users/{support_user_id}/eco-map#member-{member_id}")


@router.post("/support-users/{support_user_id}/eco-map/members/{member_id}/remove")
async def remove_member(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    member_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    if not csrf_valid(request, text_of(data, "csrf_token")):
        sent = SentForms(form_error=expired(gettext))
        return await render_eco_map(
            request, templates, api, matching, me, support_user_id, sent, 400
        )
    await matching.send("DELETE", f"/support-users/{support_user_id}/eco-map/members/{member_id}")
    notify(request, "eco_member_removed")
    return see_other(f"/support-users/{support_user_id}/eco-map#members")


# -- snapshots and the history -----------------------------------------------------------------


@router.post("/support-users/{support_user_id}/eco-map/snapshots")
async def take_snapshot(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    label = text_of(data, "label")
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["snapshot-label"] = expired(gettext)
    elif not label:
        errors["snapshot-label"] = gettext(
            "Give the snapshot a name, for example: Before the summer."
        )
    elif len(label) > LABEL_MAX:
        errors["snapshot-label"] = gettext("Shorten the name to at most 200 characters.")
    if not errors:
        try:
            await matching.send(
                "POST",
                f"/support-users/{support_user_id}/eco-map/snapshots",
                json={"label": label},
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            errors["snapshot-label"] = gettext(
                "Give the snapshot a name of at most 200 characters."
            )
    if errors:
        sent = SentForms(snapshot_label=label, errors=errors)
        return await render_eco_map(
            request, templates, api, matching, me, support_user_id, sent, 422
        )
    notify(request, "eco_snapshot_saved")
    return see_other(f"/support-users/{support_user_id}/eco-map#history")


@router.get("/support-users/{support_user_id}/eco-map/snapshots/{snapshot_id}")
async def snapshot_page(
    request: Request,
    templates: TemplatesDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    snapshot_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    base = f"/support-users/{support_user_id}"
    person, snapshot = await asyncio.gather(
        matching.read(SupportUser, base),
        matching.read(EcoMapSnapshotDetail, f"{base}/eco-map/snapshots/{snapshot_id}"),
    )
    label = gettext(
        "The eco-map of %(name)s as it was, members: %(count)d. The list below says the same."
    ) % {"name": person.name, "count": len(snapshot.members)}
    svg = await drawing(matching, base, language, label, snapshot=snapshot.id)
    return templates.render(
        request,
        "eco_map/snapshot.html",
        page_context(
            request,
            me,
            person=person,
            snapshot=snapshot,
            drawing=svg,
            rings=by_ring(snapshot.members),
        ),
        private=True,
    )


# -- comparing two moments -------------------------------------------------------------------


@dataclass
class MetricRow:
    """One line of the comparison: what is measured and its value before and after, as
    written on the page."""

    label: str
    before: str
    after: str
    changed: bool
    sub: bool = False  # a part of the line above it (a relation, a ring)


def metric_rows(
    before: EcoMapMetrics, after: EcoMapMetrics, gettext: Translate, number: Any, percent: Any
) -> list[MetricRow]:
    rows: list[MetricRow] = []

    def add(label: str, a: str, b: str, sub: bool = False) -> None:
        rows.append(MetricRow(label, a, b, a != b, sub))

    def counts(table: dict[str, str], a: dict[str, int], b: dict[str, int]) -> None:
        for code, label in table.items():
            add(gettext(label), str(a.get(code, 0)), str(b.get(code, 0)), sub=True)

    add(gettext("Members"), str(before.size), str(after.size))
    add(gettext("By relation"), "", "")
    counts(ECO_RELATIONS, before.by_relation, after.by_relation)
    add(gettext("By ring"), "", "")
    counts(ECO_RINGS, before.by_ring, after.by_ring)
    add(gettext("By kind of support"), "", "")
    counts(ECO_SUPPORT, before.by_support, after.by_support)
    add(
        gettext("Sectors with members (of %(count)d)") % {"count": len(ECO_RELATIONS)},
        str(before.sector_diversity),
        str(after.sector_diversity),
    )
    if before.sector_entropy is not None and after.sector_entropy is not None:
        add(gettext("Spread across the sectors (bits)"), number(before.sector_entropy),
            number(after.sector_entropy))  # fmt: skip
    add(gettext("Paid ties (staff and professionals)"), percent(before.paid_share),
        percent(after.paid_share))  # fmt: skip
    add(gettext("Unpaid ties"), percent(before.unpaid_share), percent(after.unpaid_share))
    add(gettext("Mutual ties"), percent(before.reciprocity), percent(after.reciprocity))
    add(gettext("Density: how close the ties are (0 to 1)"), number(before.density),
        number(after.density))  # fmt: skip
    return rows


@router.get("/support-users/{support_user_id}/eco-map/comparison")
async def comparison_page(
    request: Request,
    templates: TemplatesDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    before: str = "",
    after: str = "current",
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    base = f"/support-users/{support_user_id}"
    person, snapshots = await asyncio.gather(
        matching.read(SupportUser, base),
        matching.read(list[EcoMapSnapshot], f"{base}/eco-map/snapshots"),
    )
    known = {s.id for s in snapshots}
    errors: dict[str, str] = {}
    if before not in known:
        errors["compare-before"] = gettext("Choose a snapshot to compare from.")
    if after != "current" and after not in known:
        errors["compare-after"] = gettext("Choose a snapshot, or the eco-map now.")
    elif after == before and before:
        errors["compare-after"] = gettext("Choose two different moments.")
    comparison: EcoMapComparison | None = None
    if not errors:
        comparison = await matching.read(
            EcoMapComparison, f"{base}/eco-map/comparison", {"before": before, "after": after}
        )
    rows: list[MetricRow] = []
    sentences: list[str] = []
    if comparison is not None:
        environment = templates.environments[language]
        number, percent = environment.filters["decimal"], _percent_filter(language)
        rows = metric_rows(comparison.before, comparison.after, gettext, number, percent)
        sentences = comparison.summary.of(language)
    names = {s.id: s.label for s in snapshots}
    return templates.render(
        request,
        "eco_map/comparison.html",
        page_context(
            request,
            me,
            person=person,
            snapshots=snapshots,
            before=before,
            after=after,
            before_label=names.get(before, ""),
            after_label=names.get(after, "") if after != "current" else gettext("Now"),
            comparison=comparison,
            rows=rows,
            sentences=sentences,
            errors=errors,
        ),
        private=True,
        status_code=422 if errors and before else 200,
    )


def _percent_filter(language: str) -> Any:
    locale = DATE_LOCALES.get(language, language)

    def percent(value: float | None) -> str:
        return "" if value is None else format_percent(value, locale=locale)

    return percent


# -- downloads ---------------------------------------------------------------------------------


async def eco_map_file(matching: Api, base: str, fmt: str, params: dict[str, str]) -> Response:
    """Matching's file handed to the browser as a download, never stored on the way."""
    if fmt not in FORMATS:
        raise HTTPException(404)
    answer = await matching.send("GET", f"{base}/eco-map.{fmt}", params=params)
    name = "eco-map" + (f"-{params['snapshot']}" if params.get("snapshot") else "")
    headers = {
        "Content-Disposition": answer.headers.get(
            "content-disposition", f'attachment; filename="{name}.{fmt}"'
        ),
        "Cache-Control": "no-store",
    }
    media_type = answer.headers.get("content-type", FORMATS[fmt])
    return Response(answer.content, media_type=media_type, headers=headers)


@router.get("/support-users/{support_user_id}/eco-map.{fmt}")
async def download_eco_map(
    request: Request,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    fmt: str,
    snapshot: str = "",
) -> Response:
    params = {"lang": request_language(request), **({"snapshot": snapshot} if snapshot else {})}
    return await eco_map_file(matching, f"/support-users/{support_user_id}", fmt, params)


# -- the support user's own eco-map ------------------------------------------------------------


def my_context(me: Me, **values: Any) -> dict[str, Any]:
    # "easy": plain language, large text and targets (see portal.css).
    return {
        "me": me,
        "sections": sections_for(me.roles),
        "current_path": "/my-network",
        "body_class": "easy",
        **values,
    }


@router.get(MY_PATH)
async def my_eco_map(
    request: Request, templates: TemplatesDep, matching: MatchingApiDep, me: SupportUserDep
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    notice = take_notice(request)
    extra = {"page_notice": notice} if notice else {}
    try:
        person = await matching.read(SupportUser, "/support-users/me")
    except Rejected as exc:
        if exc.status != 404:
            raise
        return templates.render(
            request, "eco_map/mine.html", my_context(me, person=None, **extra), private=True
        )
    base = f"/support-users/{person.id}"
    eco = await matching.read(EcoMap, f"{base}/eco-map")
    label = gettext("My map: me in the middle and the people around me (%(count)d).") % {
        "count": len(eco.members)
    }
    svg = await drawing(matching, base, language, label)
    return templates.render(
        request,
        "eco_map/mine.html",
        my_context(
            me,
            person=person,
            eco=eco,
            drawing=svg,
            rings=by_ring(eco.members),
            questions=questions_in(eco, language),
            **extra,
        ),
        private=True,
    )


def _my_step_page(
    request: Request,
    templates: TemplatesDep,
    me: Me,
    form: MemberForm,
    step: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    current = MY_STEPS[step]
    # Every answer but this step's travels along in hidden fields.
    carried = [(name, value) for name, value in form.hidden() if name != current]
    return templates.render(
        request,
        "eco_map/my_step.html",
        my_context(
            me,
            form=form,
            step=step,
            step_name=current,
            steps=len(MY_STEPS),
            carried=carried,
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get(f"{MY_PATH}/add")
async def my_add_person(request: Request, templates: TemplatesDep, me: SupportUserDep) -> Response:
    return _my_step_page(request, templates, me, MemberForm(), 0)


@router.post(f"{MY_PATH}/add")
async def my_add_person_step(
    request: Request, templates: TemplatesDep, matching: MatchingApiDep, me: SupportUserDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = MemberForm.from_form(data)
    form.partner_id, form.note = "", ""  # not asked here
    step_text = text_of(data, "step")
    step = int(step_text) if step_text.isdigit() and int(step_text) < len(MY_STEPS) else 0
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors = {
            field_id(MY_STEPS[step]): gettext("The page was open too long. Please try again.")
        }
        return _my_step_page(request, templates, me, form, step, errors, 400)
    if text_of(data, "go") == "back":
        return _my_step_page(request, templates, me, form, max(step - 1, 0))
    errors = _my_check(form, MY_STEPS[step], gettext)
    if errors:
        return _my_step_page(request, templates, me, form, step, errors, 422)
    if step + 1 < len(MY_STEPS):
        return _my_step_page(request, templates, me, form, step + 1)
    # The last step: everything once more, then to matching.
    for index, name in enumerate(MY_STEPS):
        errors = _my_check(form, name, gettext)
        if errors:
            return _my_step_page(request, templates, me, form, index, errors, 422)
    person = await matching.read(SupportUser, "/support-users/me")
    try:
        await matching.send(
            "POST", f"/support-users/{person.id}/eco-map/members", json=form.payload()
        )
    except Rejected as exc:
        if exc.status not in (400, 422):
            raise
        name = (exc.field or "").split(".")[0]
        index = MY_STEPS.index(name) if name in MY_STEPS else 0
        errors = {field_id(MY_STEPS[index]): _my_message(MY_STEPS[index], gettext)}
        return _my_step_page(request, templates, me, form, index, errors, 422)
    notify(request, "my_person_added")
    return see_other(f"{MY_PATH}#my-people")


def _my_check(form: MemberForm, name: str, gettext: Translate) -> dict[str, str]:
    """One step's answer checked, with the plain message the step shows."""
    if name == "support":
        if support_known(form.support):
            return {}
    elif name not in FIELDS or not form.check(gettext, only=(name,)):
        return {}
    return {field_id(name): _my_message(name, gettext)}


def _my_message(name: str, gettext: Translate) -> str:
    if name == "name":
        return gettext("Write the name here. A short name is enough.")
    if name == "support":
        return gettext("Choose from the list what they do with you.")
    return gettext("Choose one answer.")
