"""The partner pages: the list with its filters, the card (front, back, bottom, competence
cards and the consent panel), creating and editing with consent capture, the one-step
forms on the card (activity, contribution, consent, competence card) and erasing a partner
after confirming its name. Routes translate between HTML forms and the registry's API; the
registry decides who may do what."""

import asyncio
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from services.portal.deps import Api, ApiDep, TemplatesDep, member_of
from services.portal.i18n import N_, request_language
from services.portal.labels import (
    ACTIVITY_KINDS,
    COMPETENCE_DOMAINS,
    COMPETENCE_KINDS,
    CONSENT_METHODS,
    PARTNER_KINDS,
    SCOPES,
    SIMPLE_PURPOSES,
    TIE_STRENGTHS,
)
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.partner_form import (
    KINDS,
    ORGANISATION_PREFIX,
    ConsentChoice,
    PartnerForm,
    friendly_message,
    purpose_id,
)
from services.portal.registry_client import FieldErrors, Me, Rejected
from services.portal.schemas import (
    Activity,
    Category,
    ConsentRecord,
    Contribution,
    District,
    Member,
    OrganisationRef,
    Partner,
    PartnerPage,
    Pool,
)
from services.portal.security import csrf_valid, safe_next
from services.portal.templating import today
from services.portal.tokens import NOTICE

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

StaffDep = Annotated[Me, Depends(member_of("partners"))]
PAGE_SIZE = 25
MONTHS_MAX = 1200
# The roles that look after partners: who may be a partner's responsible staff member.
RESPONSIBLE_ROLES = {"staff", "admin"}
# The notice after erasing, shown on the list. Without the partner's name: the session
# cookie never holds a personal value, and after erasing the portal keeps none either.
ERASED = "partner_erased"
LIST_NOTICES = {
    ERASED: N_("The partner was erased. Nothing about them is kept in the resource file any more.")
}


def page_context(me: Me, **values: Any) -> dict[str, Any]:
    return {"me": me, "sections": sections_for(me.roles), "current_path": "/partners", **values}


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def days_since_months_ago(months: int, on: date | None = None) -> int:
    """Days between today (or ``on``) and the same day ``months`` months before (the last
    day of a shorter month): "not contacted for 6 months" as the registry's days."""
    end = on or today()
    month_index = end.year * 12 + end.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = end.day
    while True:
        try:
            earlier = date(year, month, day)
            break
        except ValueError:
            day -= 1
    return (end - earlier).days


# -- reference data, optional ------------------------------------------------------------


async def districts_of(api: Api) -> list[District] | None:
    """The districts to choose from, or ``None`` when the registry offers none yet (the
    forms then take a district code as text)."""
    found = await api.read_or_none(list[District], "/districts")
    return sorted(found, key=lambda d: (d.name_fi.casefold(), d.code)) if found else None


async def categories_of(api: Api, language: str) -> list[Category] | None:
    return await api.read_or_none(list[Category], "/categories", {"lang": language})


def category_groups(categories: list[Category] | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Categories under their main category, for a select's option groups."""
    if not categories:
        return []
    by_code = {c.code: c for c in categories}
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        if category.parent_code and category.parent_code in by_code:
            groups.setdefault(category.parent_code, []).append((category.code, category.label))
        else:
            groups.setdefault(category.code, []).insert(0, (category.code, category.label))
    return [(by_code[code].label, options) for code, options in groups.items()]


def district_names(districts: list[District] | None) -> dict[str, str]:
    return {d.code: d.name_fi for d in districts or []}


def category_labels(categories: list[Category] | None) -> dict[str, str]:
    return {c.code: c.label for c in categories or []}


# -- the list ----------------------------------------------------------------------------


@dataclass
class ListFilters:
    name: str = ""
    text: str = ""
    district: str = ""
    neighbours: bool = False
    category: str = ""
    kind: str = ""
    tie_strength: str = ""
    months: str = ""
    scope: str = "all"
    status: str = "active"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, page: int | None = None) -> str:
        values: dict[str, Any] = {
            "name": self.name,
            "text": self.text,
            "district": self.district,
            "neighbours": "1" if self.neighbours else "",
            "category": self.category,
            "kind": self.kind,
            "tie_strength": self.tie_strength,
            "months": self.months,
            "scope": "" if self.scope == "all" else self.scope,
            "status": "" if self.status == "active" else self.status,
            "page": page if page and page > 1 else "",
        }
        return urlencode({k: v for k, v in values.items() if v})

    def api_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "scope": self.scope,
            "status": self.status,
            "page": self.page,
            "page_size": PAGE_SIZE,
        }
        for name in ("name", "text", "kind", "tie_strength", "category"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        if self.district:
            params["district"] = self.district
            params["neighbours"] = "true" if self.neighbours else "false"
        if self.months and "months" not in self.errors:
            params["not_contacted_for_days"] = days_since_months_ago(int(self.months))
        return params


STATUS_FILTERS = ("active", "inactive", "pending", "any")


def _filters(
    _: Any,
    name: str,
    text: str,
    district: str,
    neighbours: str,
    category: str,
    kind: str,
    tie_strength: str,
    months: str,
    scope: str,
    status: str,
    page: str,
) -> ListFilters:
    filters = ListFilters(
        name=name.strip()[:200],
        text=text.strip()[:500],
        district=district.strip()[:32],
        neighbours=bool(neighbours),
        category=category.strip()[:32],
        kind=kind if kind in PARTNER_KINDS else "",
        tie_strength=tie_strength if tie_strength in TIE_STRENGTHS else "",
        months=months.strip(),
        scope=scope if scope in SCOPES else "all",
        status=status if status in STATUS_FILTERS else "active",
        page=int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1,
    )
    if filters.months and not (filters.months.isdigit() and 0 < int(filters.months) <= MONTHS_MAX):
        filters.errors["months"] = _("Enter a whole number of months, like 6.")
    return filters


def _list_notice(request: Request) -> str:
    """The list's own pending notice, once; the shared notices are left to the rendering."""
    if request.session.get(NOTICE) in LIST_NOTICES:
        return LIST_NOTICES[request.session.pop(NOTICE)]
    return ""


@router.get("/partners")
async def partner_list(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: StaffDep,
    name: str = "",
    text: str = "",
    district: str = "",
    neighbours: str = "",
    category: str = "",
    kind: str = "",
    tie_strength: str = "",
    months: str = "",
    scope: str = "",
    status: str = "",
    page: str = "",
) -> Response:
    gettext = templates.gettext(request).gettext
    filters = _filters(
        gettext, name, text, district, neighbours, category, kind, tie_strength, months, scope,
        status, page,
    )  # fmt: skip
    language = request_language(request)
    districts, categories = await asyncio.gather(districts_of(api), categories_of(api, language))
    result = PartnerPage(items=[], total=0, page=filters.page, page_size=PAGE_SIZE)
    form_error = ""
    try:
        result = await api.read(PartnerPage, "/partners", filters.api_params())
    except Rejected as exc:
        field_name = {
            "district": "district",
            "category": "category",
            "name": "name",
            "text": "text",
            "not_contacted_for_days": "months",
        }.get(exc.field or "")
        if field_name:
            filters.errors[field_name] = gettext("Check this search term.")
        else:
            form_error = gettext("The search did not succeed: %(detail)s") % {"detail": exc.message}
    last_page = max(1, -(-result.total // PAGE_SIZE))
    notice = _list_notice(request)
    active_filters = any(
        (filters.name, filters.text, filters.district, filters.category, filters.kind,
         filters.tie_strength, filters.months, filters.scope != "all",
         filters.status != "active")
    )  # fmt: skip
    return templates.render(
        request,
        "partners/list.html",
        page_context(
            me,
            filters=filters,
            result=result,
            districts=districts,
            district_names=district_names(districts),
            category_groups=category_groups(categories),
            category_labels=category_labels(categories),
            categories_available=categories is not None,
            last_page=last_page,
            previous_url=f"/partners?{filters.query(filters.page - 1)}" if filters.page > 1 else "",
            next_url=f"/partners?{filters.query(filters.page + 1)}"
            if filters.page < last_page
            else "",
            list_url=f"/partners?{filters.query(filters.page)}".rstrip("?"),
            # What the list shows; exports alone would default to own partners only.
            export_query="&".join(q for q in (filters.query(), "scope=all") if q)
            if filters.scope == "all"
            else filters.query(),
            errors=filters.errors,
            form_error=form_error,
            active_filters=active_filters,
            today=today().isoformat(),
            **({"page_notice": notice} if notice else {}),
        ),
        private=True,
        status_code=422 if filters.errors else 200,
    )


# -- the card ----------------------------------------------------------------------------


def purpose_label(
    purpose: str, gettext: Any, pools: dict[str, str], organisations: dict[str, str]
) -> str:
    if purpose in SIMPLE_PURPOSES:
        return str(gettext(SIMPLE_PURPOSES[purpose]))
    kind, _, target = purpose.partition(":")
    if kind == "pool":
        return str(gettext("Sharing with the pool %(name)s")) % {
            "name": pools.get(target, gettext("(a pool we have left)"))
        }
    if kind == "organisation":
        return str(gettext("Sharing with the organisation %(name)s")) % {
            "name": organisations.get(target, target)
        }
    return purpose


@dataclass
class CardForms:
    """Values and errors of the small forms on the card, when one of them was sent back."""

    activity: dict[str, str] = field(default_factory=dict)
    activity_errors: dict[str, str] = field(default_factory=dict)
    contribution: dict[str, str] = field(default_factory=dict)
    contribution_errors: dict[str, str] = field(default_factory=dict)
    consent: ConsentChoice | None = None
    consent_errors: dict[str, str] = field(default_factory=dict)
    withdraw_errors: dict[str, str] = field(default_factory=dict)
    competence: dict[str, str] = field(default_factory=dict)
    competence_errors: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, str]:
        return {
            **self.activity_errors,
            **self.contribution_errors,
            **self.consent_errors,
            **self.withdraw_errors,
            **self.competence_errors,
        }


async def active_pools(api: Api) -> list[Pool]:
    pools = await api.read_or_none(list[Pool], "/pools")
    return [p for p in pools or [] if p.my_status == "active"]


async def render_card(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    partner_id: str,
    forms: CardForms | None = None,
    status_code: int = 200,
    same: list[str] | None = None,
) -> Response:
    gettext = templates.gettext(request).gettext
    partner = await api.read(Partner, f"/partners/{partner_id}")
    forms = forms or CardForms()
    own = partner.owned and partner.view == "full"
    language = request_language(request)
    activities: list[Activity] = []
    contributions: list[Contribution] = []
    history: list[ConsentRecord] = []
    members: list[Member] = []
    pools: list[Pool] = []
    organisations: list[OrganisationRef] = []
    duplicates: list[Partner] = []
    district_list, categories = await asyncio.gather(
        districts_of(api), categories_of(api, language)
    )
    if own:
        citizen = partner.kind == "citizen" and not partner.pending
        (
            activities,
            contributions,
            history,
            member_list,
            pools,
            organisations,
        ) = await asyncio.gather(
            api.read(list[Activity], f"/partners/{partner_id}/activities"),
            api.read(list[Contribution], f"/partners/{partner_id}/contributions")
            if citizen
            else _nothing(list[Contribution]),
            api.read(list[ConsentRecord], f"/partners/{partner_id}/consents"),
            api.read_or_none(list[Member], "/users"),
            active_pools(api),
            organisation_directory(api),
        )
        members = member_list or []
        found = await asyncio.gather(
            *(api.read_or_none(Partner, f"/partners/{d}") for d in (same or [])[:10])
        )
        duplicates = [d for d in found if d is not None and d.id != partner.id]
    pool_names = {p.id: p.name for p in pools}
    organisation_names = {o.id: o.name for o in organisations}
    purposes = (
        {c.purpose for c in partner.consents}
        | {r.purpose for r in history}
        | {f"pool:{p.id}" for p in pools}
        | set(SIMPLE_PURPOSES)
    )
    purpose_labels = {
        p: purpose_label(p, gettext, pool_names, organisation_names) for p in purposes
    }
    grantable = [p for p in SIMPLE_PURPOSES if p not in partner.purposes] + [
        f"pool:{p.id}" for p in pools if f"pool:{p.id}" not in partner.purposes
    ]
    share_organisations = [
        (o.id, o.name)
        for o in sharing_candidates(organisations, me)
        if ORGANISATION_PREFIX + o.id not in partner.purposes
    ]
    consent_form = forms.consent or ConsentChoice(obtained_on=today().isoformat())
    return templates.render(
        request,
        "partners/card.html",
        page_context(
            me,
            partner=partner,
            own=own,
            activities=activities,
            contributions=contributions,
            history=list(reversed(history)),
            member_names={m.id: m.display_name for m in members},
            purpose_labels=purpose_labels,
            grantable=grantable,
            share_organisations=share_organisations,
            purpose_id=purpose_id,
            may_erase=own and may_erase(me, partner),
            district_names=district_names(district_list),
            category_labels=category_labels(categories),
            duplicates=duplicates,
            sent=forms,
            consent_form=consent_form,
            withdraw_options=[
                (c.purpose, purpose_labels.get(c.purpose, c.purpose)) for c in partner.consents
            ],
            errors=forms.errors,
            today=today().isoformat(),
            card_path=f"/partners/{partner.id}",
        ),
        private=True,
        status_code=status_code,
    )


async def _nothing(shape: type[list[T]]) -> list[T]:
    return []


async def organisation_directory(api: Api) -> list[OrganisationRef]:
    """Every organisation in the registry's directory (empty when it does not answer): to
    name them in `organisation:` consents and to choose one to share with."""
    found = await api.read_or_none(list[OrganisationRef], "/organisations") or []
    return sorted(found, key=lambda o: (o.name.casefold(), o.id))


def sharing_candidates(organisations: list[OrganisationRef], me: Me) -> list[OrganisationRef]:
    """The organisations a partner may agree to be shared with: any but our own."""
    return [o for o in organisations if o.id != me.organisation.id]


def may_erase(me: Me, partner: Partner) -> bool:
    """Whether to offer erasing: the registry allows it to an admin and to the partner's
    responsible staff member (and checks it again when asked)."""
    return "admin" in me.roles or (
        partner.responsible_user_id is not None and partner.responsible_user_id == me.user.id
    )


# -- create and edit ---------------------------------------------------------------------


@router.get("/partners/new")
async def new_partner_choice(request: Request, templates: TemplatesDep, me: StaffDep) -> Response:
    return templates.render(request, "partners/new.html", page_context(me), private=True)


async def _form_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    form: PartnerForm,
    *,
    partner: Partner | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    language = request_language(request)
    creating = partner is None
    districts, categories, members, pools, organisations = await asyncio.gather(
        districts_of(api),
        categories_of(api, language),
        api.read_or_none(list[Member], "/users"),
        active_pools(api) if creating else _nothing(list[Pool]),
        organisation_directory(api) if creating else _nothing(list[OrganisationRef]),
    )
    gettext = templates.gettext(request).gettext
    grantable = [*SIMPLE_PURPOSES, *(f"pool:{p.id}" for p in pools)]
    pool_names = {p.id: p.name for p in pools}
    return templates.render(
        request,
        "partners/form.html",
        page_context(
            me,
            form=form,
            partner=partner,
            districts=districts,
            category_groups=category_groups(categories),
            categories_available=categories is not None,
            member_options=responsible_choices(
                members or [], form.values.get("responsible_user_id", "")
            ),
            grantable=grantable,
            share_organisations=[(o.id, o.name) for o in sharing_candidates(organisations, me)],
            purpose_labels={p: purpose_label(p, gettext, pool_names, {}) for p in grantable},
            purpose_id=purpose_id,
            errors=errors or {},
            form_error=form_error,
            action=f"/partners/{partner.id}/edit" if partner else f"/partners/new/{form.kind}",
        ),
        private=True,
        status_code=status_code,
    )


def responsible_choices(members: list[Member], current: str) -> list[tuple[str, str]]:
    """Who may be a partner's responsible staff member: the organisation's staff and
    admins, and whoever is responsible now (so that saving does not change it unasked)."""
    return [
        (m.id, m.display_name)
        for m in members
        if m.id == current or RESPONSIBLE_ROLES & set(m.roles)
    ]


def _kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        raise HTTPException(404)
    return kind


@router.get("/partners/new/{kind}")
async def new_partner_form(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, kind: str
) -> Response:
    form = PartnerForm.empty(_kind_or_404(kind), me.user.id)
    return await _form_page(request, templates, api, me, form)


def _api_error(form: PartnerForm, exc: Rejected, gettext: Any) -> FieldErrors:
    """Every field the registry refused, at its place on the form."""

    def place(api_field: str | None, detail: str) -> tuple[str, str]:
        field_id = form.field_for(api_field, detail)
        return field_id or "", friendly_message(field_id, exc.code, detail, gettext)

    return exc.at_fields(place)


@router.post("/partners/new/{kind}")
async def create_partner(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, kind: str
) -> Response:
    kind = _kind_or_404(kind)
    gettext = templates.gettext(request).gettext
    data = await request.form()
    pools = await active_pools(api)
    form = PartnerForm.from_form(kind, data, [f"pool:{p.id}" for p in pools])
    if not csrf_valid(request, _field(data, "csrf_token")):
        return await _form_page(
            request, templates, api, me, form,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    try:
        created = await api.write(Partner, "POST", "/partners", form.create_payload())
    except Rejected as exc:
        if exc.status not in (400, 409, 422):
            raise
        errors, form_error = _api_error(form, exc, gettext)
        return await _form_page(
            request, templates, api, me, form, errors=errors, form_error=form_error,
            status_code=422,
        )  # fmt: skip
    notify(request, "partner_pending" if created.pending else "partner_created")
    query = urlencode([("same", d) for d in created.possible_duplicates])
    return see_other(f"/partners/{created.id}" + (f"?{query}" if query else ""))


def _field(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


@router.get("/partners/{partner_id}/edit")
async def edit_partner_form(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    partner = await _own_partner(api, partner_id)
    return await _form_page(
        request, templates, api, me, PartnerForm.from_partner(partner), partner=partner
    )


async def _own_partner(api: Api, partner_id: str) -> Partner:
    partner = await api.read(Partner, f"/partners/{partner_id}")
    if not (partner.owned and partner.view == "full"):
        raise Rejected(403, "forbidden", "only the owning organisation can do this", None)
    return partner


@router.post("/partners/{partner_id}/edit")
async def save_partner(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    partner = await _own_partner(api, partner_id)
    data = await request.form()
    form = PartnerForm.from_form(partner.kind, data)
    form.base_card = dict(partner.card)
    if not csrf_valid(request, _field(data, "csrf_token")):
        return await _form_page(
            request, templates, api, me, form, partner=partner,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    try:
        await api.write(
            Partner, "PATCH", f"/partners/{partner_id}", form.patch_payload(partner.pending)
        )
    except Rejected as exc:
        if exc.status not in (400, 409, 422):
            raise
        errors, form_error = _api_error(form, exc, gettext)
        return await _form_page(
            request, templates, api, me, form, partner=partner, errors=errors,
            form_error=form_error, status_code=422,
        )  # fmt: skip
    notify(request, "partner_saved")
    return see_other(f"/partners/{partner_id}")


# Declared after /partners/new so that "new" is not taken for an id.
@router.get("/partners/{partner_id}")
async def partner_card(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: StaffDep,
    partner_id: str,
    same: Annotated[list[str] | None, Query()] = None,
) -> Response:
    return await render_card(request, templates, api, me, partner_id, same=same)


# -- the one-step forms on the card -------------------------------------------------------


def _back(data: FormData, partner_id: str, anchor: str = "") -> str:
    """Where a one-step form returns to: the page it was sent from (the list), or the card."""
    card = f"/partners/{partner_id}{anchor}"
    return safe_next(_field(data, "next"), card)


@router.post("/partners/{partner_id}/activities")
async def log_activity(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {
        name: _field(data, name).strip() for name in ("kind", "occurred_on", "content", "outcome")
    }
    errors: dict[str, str] = {}
    if not csrf_valid(request, _field(data, "csrf_token")):
        errors["activity-kind"] = gettext("The page had expired. Send the form again.")
    elif values["kind"] not in ACTIVITY_KINDS:
        errors["activity-kind"] = gettext("Choose what kind of activity it was.")
    if not errors:
        body: dict[str, Any] = {
            "kind": values["kind"],
            "content": values["content"],
            "outcome": values["outcome"],
        }
        if values["occurred_on"]:
            body["occurred_on"] = values["occurred_on"]
        try:
            await api.write(Activity, "POST", f"/partners/{partner_id}/activities", body)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors[_activity_field(exc.field)] = _activity_message(exc, gettext)
    if errors:
        forms = CardForms(activity=values, activity_errors=errors)
        return await render_card(request, templates, api, me, partner_id, forms, 422)
    notify(request, "activity_logged")
    return see_other(_back(data, partner_id, "#activities"))


def _activity_field(api_field: str | None) -> str:
    return {
        "occurred_on": "activity-occurred_on",
        "content": "activity-content",
        "outcome": "activity-outcome",
    }.get(api_field or "", "activity-kind")


def _activity_message(exc: Rejected, gettext: Any) -> str:
    if exc.field == "occurred_on":
        if "future" in exc.message:
            return str(gettext("The date cannot be in the future."))
        return str(gettext("Enter the date as day, month and year."))
    if exc.field in ("content", "outcome"):
        return str(gettext("Shorten this to at most 4000 characters."))
    if exc.field == "partner":
        return str(
            gettext("Activities are logged once the partner has agreed to be kept in the file.")
        )
    return str(gettext("Logging did not succeed: %(detail)s")) % {"detail": exc.message}


@router.post("/partners/{partner_id}/contributions")
async def add_contribution(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {name: _field(data, name).strip() for name in ("occurred_on", "how", "where")}
    errors: dict[str, str] = {}
    if not csrf_valid(request, _field(data, "csrf_token")):
        errors["contribution-how"] = gettext("The page had expired. Send the form again.")
    elif not values["how"]:
        errors["contribution-how"] = gettext("Describe how they gave resources.")
    if not errors:
        body: dict[str, Any] = {"how": values["how"], "where": values["where"]}
        if values["occurred_on"]:
            body["occurred_on"] = values["occurred_on"]
        try:
            await api.write(Contribution, "POST", f"/partners/{partner_id}/contributions", body)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            target = {
                "occurred_on": "contribution-occurred_on",
                "where": "contribution-where",
            }.get(exc.field or "", "contribution-how")
            errors[target] = (
                gettext("The date cannot be in the future.")
                if exc.field == "occurred_on"
                else gettext("Check this value: %(detail)s") % {"detail": exc.message}
            )
    if errors:
        forms = CardForms(contribution=values, contribution_errors=errors)
        return await render_card(request, templates, api, me, partner_id, forms, 422)
    notify(request, "contribution_added")
    return see_other(f"/partners/{partner_id}#contributions")


@router.post("/partners/{partner_id}/consents")
async def record_consent(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    pools = await active_pools(api)
    choice = ConsentChoice.from_form(data, [f"pool:{p.id}" for p in pools])
    errors: dict[str, str] = {}
    if not csrf_valid(request, _field(data, "csrf_token")):
        errors["consent-" + purpose_id("file")] = gettext(
            "The page had expired. Send the form again."
        )
    elif not choice.purposes:
        errors["consent-" + purpose_id("file")] = gettext("Choose at least one consent.")
    if not errors:
        try:
            await api.write(
                list[ConsentRecord], "POST", f"/partners/{partner_id}/consents", choice.payload()
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            field_id = choice.field_for(exc.field or "", exc.message)
            message = friendly_message(field_id, exc.code, exc.message, gettext)
            errors["consent-" + (field_id or purpose_id("file"))] = message
    if errors:
        forms = CardForms(consent=choice, consent_errors=errors)
        return await render_card(request, templates, api, me, partner_id, forms, 422)
    notify(request, "consent_recorded")
    return see_other(f"/partners/{partner_id}#consents")


@router.post("/partners/{partner_id}/consents/withdraw")
async def withdraw_consent(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    purposes = [p for p in data.getlist("withdraw") if isinstance(p, str)]
    method = _field(data, "withdraw_method")
    errors: dict[str, str] = {}
    if not csrf_valid(request, _field(data, "csrf_token")):
        errors["withdraw"] = gettext("The page had expired. Send the form again.")
    elif not purposes:
        errors["withdraw"] = gettext("Choose the consents to withdraw.")
    elif method not in CONSENT_METHODS:
        errors["withdraw_method"] = gettext("Choose how the partner withdrew the consent.")
    if not errors:
        try:
            await api.write(
                list[str],
                "POST",
                f"/partners/{partner_id}/consents/withdraw",
                {"purposes": purposes, "method": method},
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors["withdraw"] = gettext("Withdrawing did not succeed: %(detail)s") % {
                "detail": exc.message
            }
    if errors:
        return await render_card(
            request, templates, api, me, partner_id, CardForms(withdraw_errors=errors), 422
        )
    notify(request, "consent_withdrawn")
    return see_other(f"/partners/{partner_id}#consents")


@router.post("/partners/{partner_id}/competence-cards")
async def add_competence_card(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {
        name: _field(data, name).strip()
        for name in ("kind", "domain", "title", "description", "preferences")
    }
    errors: dict[str, str] = {}
    if not csrf_valid(request, _field(data, "csrf_token")):
        errors["competence-kind"] = gettext("The page had expired. Send the form again.")
    elif values["kind"] not in COMPETENCE_KINDS:
        errors["competence-kind"] = gettext("Choose a competence card or a strength card.")
    elif values["domain"] not in COMPETENCE_DOMAINS:
        errors["competence-domain"] = gettext("Choose the area.")
    elif not values["title"]:
        errors["competence-title"] = gettext("Give the card a title.")
    if not errors:
        try:
            await api.send("POST", f"/partners/{partner_id}/competence-cards", json=values)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            target = f"competence-{exc.field}" if exc.field in values else "competence-title"
            errors[target] = gettext("Check this value: %(detail)s") % {"detail": exc.message}
    if errors:
        forms = CardForms(competence=values, competence_errors=errors)
        return await render_card(request, templates, api, me, partner_id, forms, 422)
    notify(request, "competence_added")
    return see_other(f"/partners/{partner_id}#competence-cards")


@router.post("/partners/{partner_id}/competence-cards/{card_id}/remove")
async def remove_competence_card(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: StaffDep,
    partner_id: str,
    card_id: str,
) -> Response:
    data = await request.form()
    if not csrf_valid(request, _field(data, "csrf_token")):
        return await render_card(request, templates, api, me, partner_id, None, 400)
    await api.send("DELETE", f"/partners/{partner_id}/competence-cards/{card_id}")
    notify(request, "competence_removed")
    return see_other(f"/partners/{partner_id}#competence-cards")


# -- erasing -----------------------------------------------------------------------------


CONFIRM_NAME = "confirm_name"


def same_name(typed: str, name: str) -> bool:
    """Whether what was typed is the partner's name: letter case, the spaces around it and
    runs of spaces inside do not matter."""

    def comparable(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split()).casefold()

    return bool(typed.strip()) and comparable(typed) == comparable(name)


def _erase_page(
    request: Request,
    templates: TemplatesDep,
    me: Me,
    partner: Partner,
    *,
    typed: str = "",
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    return templates.render(
        request,
        "partners/erase.html",
        page_context(
            me,
            partner=partner,
            allowed=may_erase(me, partner),
            typed=typed,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/partners/{partner_id}/erase")
async def erase_partner_form(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    partner = await _own_partner(api, partner_id)
    # Someone the registry would refuse is told so at once, before typing anything.
    status_code = 200 if may_erase(me, partner) else 403
    return _erase_page(request, templates, me, partner, status_code=status_code)


@router.post("/partners/{partner_id}/erase")
async def erase_partner(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep, partner_id: str
) -> Response:
    gettext = templates.gettext(request).gettext
    partner = await _own_partner(api, partner_id)
    data = await request.form()
    typed = _field(data, CONFIRM_NAME)[:500]
    refused = gettext(
        "Only an admin or the partner's responsible staff member can erase a partner. "
        "Nothing was erased."
    )
    if not csrf_valid(request, _field(data, "csrf_token")):
        return _erase_page(
            request, templates, me, partner, typed=typed,
            form_error=gettext("The page had expired. Type the name again to erase."),
            status_code=400,
        )  # fmt: skip
    if not same_name(typed, partner.name):
        if not may_erase(me, partner):
            # Nothing would be erased either way: the reason that matters is who may.
            return _erase_page(request, templates, me, partner, form_error=refused, status_code=403)
        message = (
            gettext("The name typed is not the name of this partner. Type it as shown above.")
            if typed.strip()
            else gettext("Type the name of the partner to confirm the erasure.")
        )
        return _erase_page(
            request, templates, me, partner, typed=typed, errors={CONFIRM_NAME: message},
            status_code=422,
        )  # fmt: skip
    try:
        await api.send("DELETE", f"/partners/{partner_id}")
    except Rejected as exc:
        if exc.status != 403:
            raise
        return _erase_page(request, templates, me, partner, form_error=refused, status_code=403)
    request.session[NOTICE] = ERASED
    return see_other("/partners")


# -- downloads ---------------------------------------------------------------------------


DOWNLOAD_HEADERS = ("content-type", "content-disposition")


async def download(api: Api, path: str, params: Any = None) -> Response:
    """A registry file handed to the browser as it came, never stored on the way."""
    answer = await api.send("GET", path, params=params)
    headers = {k: v for k, v in answer.headers.items() if k.lower() in DOWNLOAD_HEADERS}
    headers["Cache-Control"] = "no-store"
    return Response(answer.content, status_code=200, headers=headers)


@router.get("/partners/{partner_id}/consents/receipt")
async def consent_receipt(api: ApiDep, me: StaffDep, partner_id: str) -> Response:
    return await download(api, f"/partners/{partner_id}/consents/receipt")


@router.get("/partners/{partner_id}/export")
async def partner_export(api: ApiDep, me: StaffDep, partner_id: str) -> Response:
    response = await download(api, f"/partners/{partner_id}/export")
    response.headers["Content-Disposition"] = f'attachment; filename="partner-{partner_id}.json"'
    return response
