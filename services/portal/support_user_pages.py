"""The support user pages for staff: the list, adding and editing a support user, and
their profile with the one-step forms on it (consents, wishes and their status, the
resource check, the next step of a referral). Routes translate between HTML forms and the
matching service's API; matching decides who may do what."""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from services.portal.deps import Api, ApiDep, MatchingApiDep, TemplatesDep, member_of
from services.portal.i18n import request_language
from services.portal.labels import (
    CONSENT_METHODS,
    REFERRAL_OUTCOMES,
    REFERRAL_STATUSES,
    RESOURCE_CHECK_KINDS,
    SPOKEN_LANGUAGES,
    SUPPORT_USER_PURPOSES,
    WISH_METHODS,
    WISH_PRIORITIES,
    WISH_STATUSES,
)
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.partner_form import Translate
from services.portal.partner_pages import (
    categories_of,
    category_groups,
    category_labels,
    district_names,
    districts_of,
)
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import (
    CheckItem,
    Member,
    Referral,
    SupportUser,
    SupportUserConsentRecord,
    Wish,
)
from services.portal.security import csrf_valid
from services.portal.support_user_form import SupportUserForm, text_of
from services.portal.templating import today

router = APIRouter(include_in_schema=False)

WorkerDep = Annotated[Me, Depends(member_of("support_users"))]
SECTION_PATH = "/support-users"
LIST_STATUSES = ("active", "ended", "any")
WISH_CATEGORY_SLOTS = 2
WISH_TEXT_MAX = 2000
CHECK_TEXT_MAX = 500
NOTE_MAX = 2000

# Which referral step may follow which, as matching allows them; only these are offered,
# and matching checks again.
NEXT_REFERRAL_STATUSES: dict[str, tuple[str, ...]] = {
    "proposed": ("contacted", "ended"),
    "contacted": ("accepted", "declined"),
    "accepted": ("active", "ended"),
    "declined": (),
    "active": ("ended",),
    "ended": (),
}


def page_context(me: Me, **values: Any) -> dict[str, Any]:
    return {"me": me, "sections": sections_for(me.roles), "current_path": SECTION_PATH, **values}


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def members_of(api: Api) -> list[Member]:
    return await api.read_or_none(list[Member], "/users") or []


def expired(gettext: Translate) -> str:
    return gettext("The page had expired. Send the form again.")


# -- the list ----------------------------------------------------------------------------


@router.get("/support-users")
async def support_user_list(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    status: str = "active",
) -> Response:
    status = status if status in LIST_STATUSES else "active"
    people, districts = await asyncio.gather(
        matching.read(list[SupportUser], "/support-users", {"status": status}), districts_of(api)
    )
    return templates.render(
        request,
        "support_users/list.html",
        page_context(
            me,
            people=people,
            status=status,
            district_names=district_names(districts),
        ),
        private=True,
    )


# -- adding and editing ------------------------------------------------------------------


async def _form_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    matching: Api,
    me: Me,
    form: SupportUserForm,
    *,
    person: SupportUser | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    districts, members, people = await asyncio.gather(
        districts_of(api),
        members_of(api),
        # Only a new support user gets a login chosen here.
        matching.read(list[SupportUser], "/support-users", {"status": "any"})
        if person is None
        else _nothing(),
    )
    taken = {p.account_user_id for p in people if p.account_user_id}
    # Logins with the role support_user that are not anyone's yet.
    accounts = [
        (m.id, m.display_name) for m in members if "support_user" in m.roles and m.id not in taken
    ]
    return templates.render(
        request,
        "support_users/form.html",
        page_context(
            me,
            form=form,
            person=person,
            districts=districts or [],
            accounts=accounts,
            action=f"/support-users/{person.id}/edit" if person else "/support-users/new",
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


async def _nothing() -> list[SupportUser]:
    return []


@router.get("/support-users/new")
async def new_support_user(
    request: Request, templates: TemplatesDep, api: ApiDep, matching: MatchingApiDep, me: WorkerDep
) -> Response:
    return await _form_page(request, templates, api, matching, me, SupportUserForm())


@router.post("/support-users/new")
async def create_support_user(
    request: Request, templates: TemplatesDep, api: ApiDep, matching: MatchingApiDep, me: WorkerDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = SupportUserForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _form_page(
            request, templates, api, matching, me, form,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    errors = form.check(gettext)
    form_error = ""
    if not errors:
        try:
            created = await matching.write(
                SupportUser, "POST", "/support-users", form.create_payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            errors, form_error = exc.at_fields(
                lambda field, message: form.api_error(field, message, gettext)
            )
        else:
            notify(request, "support_user_created")
            return see_other(f"/support-users/{created.id}")
    return await _form_page(
        request, templates, api, matching, me, form,
        errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip


@router.get("/support-users/{support_user_id}/edit")
async def edit_support_user(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    person = await matching.read(SupportUser, f"/support-users/{support_user_id}")
    form = SupportUserForm.from_support_user(person)
    return await _form_page(request, templates, api, matching, me, form, person=person)


@router.post("/support-users/{support_user_id}/edit")
async def save_support_user(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    person = await matching.read(SupportUser, f"/support-users/{support_user_id}")
    data = await request.form()
    form = SupportUserForm.from_form(data)
    form.account_user_id = person.account_user_id or ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _form_page(
            request, templates, api, matching, me, form, person=person,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    errors = form.check(gettext)
    form_error = ""
    if not errors:
        try:
            await matching.send(
                "PATCH", f"/support-users/{support_user_id}", json=form.patch_payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 409, 422):
                raise
            errors, form_error = exc.at_fields(
                lambda field, message: form.api_error(field, message, gettext)
            )
        else:
            notify(request, "support_user_saved")
            return see_other(f"/support-users/{support_user_id}")
    return await _form_page(
        request, templates, api, matching, me, form, person=person, errors=errors,
        form_error=form_error, status_code=422,
    )  # fmt: skip


# -- the profile -------------------------------------------------------------------------


@dataclass
class ProfileForms:
    """Values of the small forms on the profile when one was sent back, and the errors,
    keyed by field ids that are unique on the page."""

    consent: dict[str, str] = field(default_factory=dict)
    wish: dict[str, str] = field(default_factory=dict)
    check: dict[str, str] = field(default_factory=dict)
    step: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ReferralView:
    referral: Referral
    wish: Wish | None
    partner_name: str
    own_partner: bool
    next_statuses: tuple[str, ...]


async def render_profile(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    matching: Api,
    me: Me,
    support_user_id: str,
    forms: ProfileForms | None = None,
    status_code: int = 200,
) -> Response:
    forms = forms or ProfileForms()
    base = f"/support-users/{support_user_id}"
    person = await matching.read(SupportUser, base)
    language = request_language(request)
    (wishes, items, referrals, history), (districts, categories, members) = await asyncio.gather(
        asyncio.gather(
            matching.read(list[Wish], f"{base}/wishes"),
            matching.read(list[CheckItem], f"{base}/resource-check"),
            matching.read(list[Referral], f"{base}/referrals"),
            matching.read(list[SupportUserConsentRecord], f"{base}/consents"),
        ),
        asyncio.gather(districts_of(api), categories_of(api, language), members_of(api)),
    )
    wishes_by_id = {w.id: w for w in wishes}
    referral_views = [
        ReferralView(
            referral=r,
            wish=wishes_by_id.get(r.wish_id),
            partner_name=" — ".join(p for p in (r.title, r.partner_name) if p),
            own_partner=r.partner_organisation_id == me.organisation.id,
            next_statuses=NEXT_REFERRAL_STATUSES.get(r.status, ()),
        )
        for r in referrals
    ]
    member_names = {m.id: m.display_name for m in members}
    checks_by_kind = {kind: [i for i in items if i.kind == kind] for kind in RESOURCE_CHECK_KINDS}
    wish_form = forms.wish or {"language": language if language in SPOKEN_LANGUAGES else "fi"}
    return templates.render(
        request,
        "support_users/profile.html",
        page_context(
            me,
            person=person,
            wishes=wishes,
            checks_by_kind=checks_by_kind,
            check_count=len(items),
            referrals=referral_views,
            history=list(reversed(history)),
            district_names=district_names(districts),
            category_groups=category_groups(categories),
            category_labels=category_labels(categories),
            categories_available=categories is not None,
            category_slots=WISH_CATEGORY_SLOTS,
            member_names=member_names,
            sent=forms,
            wish_form=wish_form,
            errors=forms.errors,
            today=today().isoformat(),
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/support-users/{support_user_id}")
async def support_user_profile(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    return await render_profile(request, templates, api, matching, me, support_user_id)


# -- consents ----------------------------------------------------------------------------


@router.post("/support-users/{support_user_id}/consents")
async def record_consent(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {name: text_of(data, name) for name in ("purpose", "action", "method")}
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["consent-purpose"] = expired(gettext)
    else:
        if values["purpose"] not in SUPPORT_USER_PURPOSES:
            errors["consent-purpose"] = gettext("Choose what the consent is about.")
        if values["action"] not in ("granted", "withdrawn"):
            errors["consent-action"] = gettext("Choose whether the consent was given or withdrawn.")
        if values["method"] not in CONSENT_METHODS:
            errors["consent-method"] = gettext("Choose how the person said it.")
    if not errors:
        try:
            await matching.send("POST", f"/support-users/{support_user_id}/consents", json=values)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            target = f"consent-{exc.field}" if exc.field in values else "consent-purpose"
            errors[target] = gettext("Check this value: %(detail)s") % {"detail": exc.message}
    if errors:
        forms = ProfileForms(consent=values, errors=errors)
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 422
        )
    notify(request, "support_user_consent_recorded")
    return see_other(f"/support-users/{support_user_id}#consents")


# -- wishes ------------------------------------------------------------------------------

WISH_FIELDS = {
    "text": "wish-text",
    "language": "wish-language",
    "category_codes": "wish-category-0",
    "priority": "wish-priority",
    "method": "wish-method",
}


def _wish_values(data: FormData) -> dict[str, str]:
    values = {name: text_of(data, name) for name in ("text", "language", "priority", "method")}
    for i in range(WISH_CATEGORY_SLOTS):
        values[f"category-{i}"] = text_of(data, f"category-{i}")
    return values


def _wish_message(api_field: str, message: str, gettext: Translate) -> str:
    if api_field == "text":
        return gettext("Write the wish in at least 2 and at most 2000 characters.")
    if api_field == "category_codes":
        return gettext("Choose a category from the list.")
    if api_field == "language":
        return gettext("Choose the language of the wish.")
    if api_field == "priority":
        return gettext("Choose how important the wish is.")
    if api_field == "method":
        return gettext("Choose how the wish was found out.")
    return gettext("Saving did not succeed: %(detail)s") % {"detail": message}


@router.post("/support-users/{support_user_id}/wishes")
async def add_wish(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = _wish_values(data)
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["wish-text"] = expired(gettext)
    else:
        if len(values["text"]) < 2:
            errors["wish-text"] = gettext("Write the wish in the person's own words.")
        elif len(values["text"]) > WISH_TEXT_MAX:
            errors["wish-text"] = gettext(
                "Write the wish in at least 2 and at most 2000 characters."
            )
        if values["language"] not in SPOKEN_LANGUAGES:
            errors["wish-language"] = gettext("Choose the language of the wish.")
        if not values["priority"].isdigit() or int(values["priority"]) not in WISH_PRIORITIES:
            errors["wish-priority"] = gettext("Choose how important the wish is.")
        if values["method"] not in WISH_METHODS:
            errors["wish-method"] = gettext("Choose how the wish was found out.")
    if not errors:
        categories = [values[f"category-{i}"] for i in range(WISH_CATEGORY_SLOTS)]
        body = {
            "text": values["text"],
            "language": values["language"],
            "priority": int(values["priority"]),
            "method": values["method"],
            "category_codes": list(dict.fromkeys(c for c in categories if c)),
        }
        try:
            await matching.send("POST", f"/support-users/{support_user_id}/wishes", json=body)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            api_field = (exc.field or "").split(".")[0]
            errors[WISH_FIELDS.get(api_field, "wish-text")] = _wish_message(
                api_field, exc.message, gettext
            )
    if errors:
        forms = ProfileForms(wish=values, errors=errors)
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 422
        )
    notify(request, "wish_added")
    return see_other(f"/support-users/{support_user_id}#wishes")


@router.post("/support-users/{support_user_id}/wishes/{wish_id}/status")
async def change_wish_status(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    wish_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    status = text_of(data, "status")
    field_id = f"wish-{wish_id}-status"
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors[field_id] = expired(gettext)
    elif status not in WISH_STATUSES:
        errors[field_id] = gettext("Choose the new status.")
    else:
        wish = await matching.read(Wish, f"/wishes/{wish_id}")
        if wish.support_user_id != support_user_id:
            raise Rejected(404, "not_found", "no such wish", None)
        try:
            await matching.send("PATCH", f"/wishes/{wish_id}", json={"status": status})
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors[field_id] = gettext("Choose the new status.")
    if errors:
        forms = ProfileForms(errors=errors)
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 422
        )
    notify(request, "wish_saved")
    return see_other(f"/support-users/{support_user_id}#wish-{wish_id}")


# -- the resource check ------------------------------------------------------------------


@router.post("/support-users/{support_user_id}/resource-check")
async def add_check_item(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {name: text_of(data, name) for name in ("kind", "text")}
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["check-kind"] = expired(gettext)
    else:
        if values["kind"] not in RESOURCE_CHECK_KINDS:
            errors["check-kind"] = gettext("Choose what kind of thing it is.")
        if not values["text"]:
            errors["check-text"] = gettext("Write what the person brings.")
        elif len(values["text"]) > CHECK_TEXT_MAX:
            errors["check-text"] = gettext("Shorten this to at most 500 characters.")
    if not errors:
        try:
            await matching.send(
                "POST", f"/support-users/{support_user_id}/resource-check", json=values
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            if exc.field == "kind":
                errors["check-kind"] = gettext("Choose what kind of thing it is.")
            else:
                errors["check-text"] = gettext("Shorten this to at most 500 characters.")
    if errors:
        forms = ProfileForms(check=values, errors=errors)
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 422
        )
    notify(request, "check_item_added")
    return see_other(f"/support-users/{support_user_id}#resource-check")


@router.post("/support-users/{support_user_id}/resource-check/{item_id}/remove")
async def remove_check_item(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    item_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    if not csrf_valid(request, text_of(data, "csrf_token")):
        forms = ProfileForms(errors={"check-kind": expired(gettext)})
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 400
        )
    await matching.send("DELETE", f"/support-users/{support_user_id}/resource-check/{item_id}")
    notify(request, "check_item_removed")
    return see_other(f"/support-users/{support_user_id}#resource-check")


# -- referrals ---------------------------------------------------------------------------


def _step_message(exc: Rejected, name: str, gettext: Translate) -> tuple[str, str]:
    """Matching's refusal of a step as (field, message)."""
    if exc.code == "consent_missing":
        return "status", gettext(
            "%(name)s has withdrawn the consent to passing their details to a partner. "
            "Record the consent again, or end this referral."
        ) % {"name": name}
    if exc.field == "outcome":
        return "outcome", gettext("Choose how the referral ended.")
    if exc.field == "note":
        return "note", gettext("Shorten the note to at most 2000 characters.")
    if exc.field == "follow_up_on":
        return "follow_up_on", gettext("Enter the date as day, month and year.")
    return "status", gettext(
        "This step cannot follow the current one. Reload the page and choose one of the "
        "steps offered."
    )


@router.post("/support-users/{support_user_id}/referrals/{referral_id}/steps")
async def record_step(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    referral_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {name: text_of(data, name) for name in ("status", "outcome", "note", "follow_up_on")}
    prefix = f"step-{referral_id}"
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors[f"{prefix}-status"] = expired(gettext)
    else:
        if values["status"] not in REFERRAL_STATUSES:
            errors[f"{prefix}-status"] = gettext("Choose the next step.")
        if values["status"] == "ended" and not values["outcome"]:
            errors[f"{prefix}-outcome"] = gettext(
                "Choose how the referral ended: an ended referral needs its outcome."
            )
        elif values["outcome"] and values["outcome"] not in REFERRAL_OUTCOMES:
            errors[f"{prefix}-outcome"] = gettext("Choose how the referral ended.")
        if len(values["note"]) > NOTE_MAX:
            errors[f"{prefix}-note"] = gettext("Shorten the note to at most 2000 characters.")
        if values["follow_up_on"] and not _is_date(values["follow_up_on"]):
            errors[f"{prefix}-follow_up_on"] = gettext("Enter the date as day, month and year.")
    if not errors:
        body: dict[str, Any] = {"status": values["status"], "note": values["note"]}
        # The outcome belongs to the end; on any other step it is not sent.
        if values["status"] == "ended":
            body["outcome"] = values["outcome"]
        if values["follow_up_on"]:
            body["follow_up_on"] = values["follow_up_on"]
        try:
            await matching.send("POST", f"/referrals/{referral_id}/steps", json=body)
        except Rejected as exc:
            if exc.status not in (400, 403, 422) or (
                exc.status == 403 and exc.code != "consent_missing"
            ):
                raise
            person = await matching.read(SupportUser, f"/support-users/{support_user_id}")
            target, message = _step_message(exc, person.name, gettext)
            errors[f"{prefix}-{target}"] = message
    if errors:
        forms = ProfileForms(step={**values, "referral_id": referral_id}, errors=errors)
        return await render_profile(
            request, templates, api, matching, me, support_user_id, forms, 422
        )
    notify(request, "referral_step_recorded")
    return see_other(f"/support-users/{support_user_id}#referral-{referral_id}")


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
