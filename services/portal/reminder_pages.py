"""The reminders pages: my due items (done, snooze), my e-mail settings (the daily
summary), the organisation's upkeep cadences and quiet hours (changed by admins, read by
everyone else), deliveries that failed with their retry, and the operations page for admins
(queues, deliveries by status, the worker). Routes translate between HTML forms and the
reminders service's API; reminders decides who may do what."""

import asyncio
from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from services.portal.deps import Api, ApiDep, RemindersApiDep, TemplatesDep, member_of
from services.portal.labels import (
    DELIVERY_STATUSES,
    PARTNER_SUBJECT_KINDS,
    SNOOZE_DAYS,
)
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.pages import error_page
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import (
    Delivery,
    DeliverySettings,
    DueItem,
    Member,
    OperationsSummary,
    Partner,
    Policy,
)
from services.portal.security import csrf_valid, safe_next

router = APIRouter(include_in_schema=False)

StaffDep = Annotated[Me, Depends(member_of("reminders"))]
SECTION_PATH = "/reminders"
ITEM_FILTERS = ("open", "snoozed", "done", "all")
DELIVERY_FILTERS = tuple(DELIVERY_STATUSES)
ADMIN = "admin"
# Each cadence's bounds, as the reminders service allows them.
POLICY_NUMBERS: dict[str, tuple[int, int]] = {
    "strong_months": (1, 36),
    "weak_months": (1, 36),
    "renewal_days": (1, 365),
    "stale_months": (1, 60),
}
POLICY_TIMES = ("quiet_start", "quiet_end")
DIGEST_HOURS = tuple(range(24))


def is_admin(me: Me) -> bool:
    return ADMIN in me.roles


def page_context(me: Me, current: str, **values: Any) -> dict[str, Any]:
    """What every reminders page shows: the main menu with this section current, and the
    section's own menu with ``current`` (a path) marked."""
    return {
        "me": me,
        "sections": sections_for(me.roles),
        "current_path": SECTION_PATH,
        "reminders_current": current,
        "is_admin": is_admin(me),
        **values,
    }


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def expired(gettext: Translate) -> str:
    return gettext("The page had expired. Send the form again.")


# -- my due items ------------------------------------------------------------------------


async def _items_page(
    request: Request,
    templates: TemplatesDep,
    reminders: Api,
    me: Me,
    status: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    items = await reminders.read(list[DueItem], "/notifications", {"status": status})
    return templates.render(
        request,
        "reminders/items.html",
        page_context(
            me,
            "/reminders",
            items=items,
            status=status,
            filters=ITEM_FILTERS,
            partner_kinds=PARTNER_SUBJECT_KINDS,
            snooze_days=SNOOZE_DAYS,
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


def _filter(status: str) -> str:
    return status if status in ITEM_FILTERS else "open"


@router.get("/reminders")
async def due_items(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    status: str = "open",
) -> Response:
    return await _items_page(request, templates, reminders, me, _filter(status))


def _back_to_items(status: str) -> str:
    return "/reminders" if status == "open" else f"/reminders?status={status}"


@router.post("/reminders/items/{item_id}/done")
async def mark_done(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    item_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    shown = _filter(text_of(data, "shown"))
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors = {f"item-{item_id}-done": expired(gettext)}
        return await _items_page(
            request, templates, reminders, me, shown, errors=errors, status_code=400
        )
    await reminders.send("POST", f"/notifications/{item_id}/done")
    notify(request, "due_item_done")
    return see_other(_back_to_items(shown))


@router.post("/reminders/items/{item_id}/snooze")
async def snooze(
    request: Request,
    templates: TemplatesDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    item_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    shown = _filter(text_of(data, "shown"))
    days = text_of(data, "days")
    field_id = f"item-{item_id}-days"
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors[field_id] = expired(gettext)
    elif not days.isdigit() or int(days) not in SNOOZE_DAYS:
        errors[field_id] = gettext("Choose for how long to snooze it.")
    else:
        try:
            await reminders.send(
                "POST", f"/notifications/{item_id}/snooze", json={"days": int(days)}
            )
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors[field_id] = (
                gettext("A done item cannot be snoozed.")
                if exc.field == "status"
                else gettext("Choose for how long to snooze it.")
            )
    if errors:
        return await _items_page(
            request, templates, reminders, me, shown, errors=errors, status_code=422
        )
    notify(request, "due_item_snoozed")
    return see_other(_back_to_items(shown))


# -- my e-mail settings ------------------------------------------------------------------


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


async def _settings_page(
    request: Request,
    templates: TemplatesDep,
    me: Me,
    values: DeliverySettings,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return templates.render(
        request,
        "reminders/settings.html",
        page_context(
            me,
            "/reminders/settings",
            values=values,
            hours=[(str(h), _hour_label(h)) for h in DIGEST_HOURS],
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/reminders/settings")
async def delivery_settings(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    values = await reminders.read(DeliverySettings, "/me/delivery-settings")
    return await _settings_page(request, templates, me, values)


@router.post("/reminders/settings")
async def save_delivery_settings(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    hour = text_of(data, "digest_hour")
    errors: dict[str, str] = {}
    valid_hour = hour.isdigit() and int(hour) in DIGEST_HOURS
    values = DeliverySettings(
        digest=bool(text_of(data, "digest")),
        digest_hour=int(hour) if valid_hour else 8,
        email_reminders=bool(text_of(data, "email_reminders")),
    )
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["email_reminders"] = expired(gettext)
    elif not valid_hour:
        errors["digest_hour"] = gettext("Choose the hour of the daily summary.")
    if not errors:
        try:
            await reminders.send("PUT", "/me/delivery-settings", json=values.model_dump())
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors["digest_hour"] = gettext("Choose the hour of the daily summary.")
    if errors:
        return await _settings_page(request, templates, me, values, errors=errors, status_code=422)
    notify(request, "delivery_settings_saved")
    return see_other("/reminders/settings")


# -- the organisation's cadences -----------------------------------------------------------


def _policy_values(policy: Policy) -> dict[str, str]:
    values = {name: str(getattr(policy, name)) for name in POLICY_NUMBERS}
    for name in POLICY_TIMES:
        values[name] = getattr(policy, name).strftime("%H:%M")
    return values


async def _policy_page(
    request: Request,
    templates: TemplatesDep,
    reminders: Api,
    me: Me,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    policy = await reminders.read(Policy, "/organisation/policy")
    return templates.render(
        request,
        "reminders/policy.html",
        page_context(
            me,
            "/reminders/policy",
            policy=policy,
            values=values or _policy_values(policy),
            bounds=POLICY_NUMBERS,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/reminders/policy")
async def policy_page(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    return await _policy_page(request, templates, reminders, me)


def _parse_time(value: str) -> time | None:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0)


def _number_message(name: str, gettext: Translate) -> str:
    low, high = POLICY_NUMBERS[name]
    if name == "renewal_days":
        return gettext("Enter a whole number of days from %(low)d to %(high)d.") % {
            "low": low,
            "high": high,
        }
    return gettext("Enter a whole number of months from %(low)d to %(high)d.") % {
        "low": low,
        "high": high,
    }


def _check_policy(values: dict[str, str], gettext: Translate) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, (low, high) in POLICY_NUMBERS.items():
        value = values[name]
        if not value.isdigit() or not low <= int(value) <= high:
            errors[name] = _number_message(name, gettext)
    times = {name: _parse_time(values[name]) for name in POLICY_TIMES}
    for name, parsed in times.items():
        if parsed is None:
            errors[name] = gettext("Enter the time in hours and minutes, like 21:00.")
    if not errors and times["quiet_start"] == times["quiet_end"]:
        errors["quiet_end"] = gettext("The quiet hours must end at another time than they start.")
    return errors


def only_admins(gettext: Translate) -> str:
    return gettext("Only the organisation's admins can change the cadences.")


def _policy_api_error(api_field: str, gettext: Translate) -> dict[str, str]:
    """Reminders' refusal of the policy at the form's field (a rule over the whole policy,
    such as the quiet hours, is named at their end)."""
    name = api_field.split(".")[-1]
    if name in POLICY_NUMBERS:
        return {name: _number_message(name, gettext)}
    if name in POLICY_TIMES:
        return {name: gettext("Enter the time in hours and minutes, like 21:00.")}
    return {"quiet_end": gettext("The quiet hours must end at another time than they start.")}


@router.post("/reminders/policy")
async def save_policy(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    values = {name: text_of(data, name) for name in (*POLICY_NUMBERS, *POLICY_TIMES)}
    errors: dict[str, str] = {}
    form_error = ""
    status_code = 422
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error, status_code = expired(gettext), 400
    elif not is_admin(me):
        form_error, status_code = only_admins(gettext), 403
    else:
        errors = _check_policy(values, gettext)
    if not errors and not form_error:
        body: dict[str, Any] = {name: int(values[name]) for name in POLICY_NUMBERS}
        for name in POLICY_TIMES:
            parsed = _parse_time(values[name])
            body[name] = parsed.isoformat(timespec="minutes") if parsed else values[name]
        try:
            await reminders.send("PUT", "/organisation/policy", json=body)
        except Rejected as exc:
            if exc.status == 403:
                form_error, status_code = only_admins(gettext), 403
            elif exc.status in (400, 422):
                errors.update(_policy_api_error(exc.field or "", gettext))
            else:
                raise
    if errors or form_error:
        return await _policy_page(
            request, templates, reminders, me,
            values=values, errors=errors, form_error=form_error, status_code=status_code,
        )  # fmt: skip
    notify(request, "policy_saved")
    return see_other("/reminders/policy")


# -- deliveries ----------------------------------------------------------------------------


async def _partner_names(api: Api, ids: list[str]) -> dict[str, str]:
    """Our own partners' names from the registry (reading our own partner is not logged);
    a forgotten partner has none."""
    found = await asyncio.gather(*(api.read_or_none(Partner, f"/partners/{i}") for i in ids))
    return {p.id: p.name for p in found if p is not None}


async def _deliveries_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    status: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    deliveries = await reminders.read(list[Delivery], "/deliveries", {"status": status})
    # Reminders about partners and greetings concern our own partners, whose cards we may
    # read without it being logged. A newsletter of a pool may have gone to another
    # organisation's partner: that one is not looked up (reminders names it on the
    # newsletter's page only to its own organisation).
    partner_ids = sorted({d.subject_id for d in deliveries if d.kind in PARTNER_SUBJECT_KINDS})
    names, members = await asyncio.gather(
        _partner_names(api, partner_ids), api.read_or_none(list[Member], "/users")
    )
    return templates.render(
        request,
        "reminders/deliveries.html",
        page_context(
            me,
            "/reminders/deliveries",
            deliveries=deliveries,
            status=status,
            filters=DELIVERY_FILTERS,
            partner_kinds=PARTNER_SUBJECT_KINDS,
            partner_names=names,
            member_names={m.id: m.display_name for m in members or []},
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/reminders/deliveries")
async def deliveries_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    status: str = "failed",
) -> Response:
    status = status if status in DELIVERY_FILTERS else "failed"
    return await _deliveries_page(request, templates, api, reminders, me, status)


@router.post("/reminders/deliveries/{delivery_id}/retry")
async def retry_delivery(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    delivery_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    # Back to where the button was (the deliveries, or a newsletter's recipients).
    back = safe_next(text_of(data, "next"), "/reminders/deliveries")
    if not back.startswith("/reminders/"):
        back = "/reminders/deliveries"
    field_id = f"delivery-{delivery_id}-retry"
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors[field_id] = expired(gettext)
    else:
        try:
            await reminders.send("POST", f"/deliveries/{delivery_id}/retry")
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors[field_id] = gettext(
                "Only a failed delivery can be tried again. It may have been retried already."
            )
    if errors:
        return await _deliveries_page(
            request, templates, api, reminders, me, "failed", errors=errors, status_code=422
        )
    notify(request, "delivery_retried")
    return see_other(back)


# -- operations (admins) -------------------------------------------------------------------


@router.get("/reminders/operations")
async def operations_page(
    request: Request, templates: TemplatesDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    if not is_admin(me):
        # Reminders refuses everyone else too; the page says so without asking.
        return error_page(request, 403, page_context(me, "/reminders/operations"))
    summary = await reminders.read(OperationsSummary, "/operations/summary")
    everyone, own = dict(summary.deliveries), dict(summary.organisation)
    due_now, own_due_now = everyone.pop("due_schedules", 0), own.pop("due_schedules", 0)
    # Any status the portal does not know yet comes after the known ones.
    statuses = [
        *DELIVERY_STATUSES,
        *sorted((everyone.keys() | own.keys()) - set(DELIVERY_STATUSES)),
    ]
    by_status = [(status, own.get(status, 0), everyone.get(status, 0)) for status in statuses]
    return templates.render(
        request,
        "reminders/operations.html",
        page_context(
            me,
            "/reminders/operations",
            summary=summary,
            due_now=due_now,
            own_due_now=own_due_now,
            by_status=by_status,
        ),
        private=True,
    )
