"""The newsletter pages: the organisation's issues, the editor (subject, language, who
receives it, its parts, when to send), an issue's page with the preview as a recipient
would see it, "send now", and each recipient's state (sent, failed with a retry, bounced,
unsubscribed); admins record a bounce the mail system reported later. Reminders decides
who receives an issue and whom it may name."""

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from babel.lists import format_list
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal.deps import (
    Api,
    ApiDep,
    RemindersApiDep,
    RemindersDep,
    TemplatesDep,
    member_of,
)
from services.portal.i18n import request_language
from services.portal.newsletter_form import BLOCK_TYPES, NewsletterForm
from services.portal.notices import notify
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.reminder_pages import expired, is_admin, page_context, text_of
from services.portal.schemas import (
    NewsletterIssue,
    NewsletterPreview,
    NewsletterRecipient,
    NewsletterSent,
    Partner,
    PartnerPage,
    Pool,
)
from services.portal.security import csrf_valid

router = APIRouter(include_in_schema=False)

StaffDep = Annotated[Me, Depends(member_of("reminders"))]
SECTION = "/reminders/newsletters"
RECIPIENTS_PAGE = 100
PARTNERS_OFFERED = 25
# The preview is the organisation's own text rendered by reminders: shown in a frame of
# its own that may style itself but run nothing and reach nothing.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)
# The unsubscribe page is reminders' own, passed on as it is: its form posts back here.
UNSUBSCRIBE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
UNSUBSCRIBE_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,100}")
FORWARDED_HEADERS = ("accept", "accept-language", "content-type")


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def issue_path(issue_id: str) -> str:
    return f"{SECTION}/{issue_id}"


# -- the list ------------------------------------------------------------------------------


async def _pools(api: Api) -> list[Pool]:
    found = await api.read_or_none(list[Pool], "/pools")
    return [p for p in found or [] if p.my_status == "active"]


def audience_labels(pools: list[Pool], gettext: Translate) -> dict[str, str]:
    labels = {"organisation": gettext("Our own partners")}
    for pool in pools:
        labels[f"pool:{pool.id}"] = gettext("Partners in the pool %(name)s") % {"name": pool.name}
    return labels


async def _list_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    *,
    bounce: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    issues, pools = await asyncio.gather(
        reminders.read(list[NewsletterIssue], "/newsletters"), _pools(api)
    )
    return templates.render(
        request,
        "reminders/newsletters.html",
        page_context(
            me,
            SECTION,
            issues=issues,
            audiences=audience_labels(pools, gettext),
            bounce=bounce or {},
            errors=errors or {},
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/reminders/newsletters")
async def newsletters(
    request: Request, templates: TemplatesDep, api: ApiDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    return await _list_page(request, templates, api, reminders, me)


@router.post("/reminders/newsletters/bounces")
async def record_bounce(
    request: Request, templates: TemplatesDep, api: ApiDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    bounce = {name: text_of(data, name) for name in ("message_id", "reason")}
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["message_id"] = expired(gettext)
    elif not is_admin(me):
        errors["message_id"] = gettext("Only the organisation's admins can record a bounce.")
    elif len(bounce["message_id"]) < 3:
        errors["message_id"] = gettext("Copy the Message-ID of the e-mail from the report.")
    elif len(bounce["reason"]) > 500:
        errors["reason"] = gettext("Shorten this to at most 500 characters.")
    if not errors:
        try:
            await reminders.send("POST", "/newsletters/bounces", json=bounce)
        except Rejected as exc:
            if exc.status == 404:
                errors["message_id"] = gettext(
                    "No e-mail of your organisation has this Message-ID. Check it against the "
                    "report."
                )
            elif exc.status == 409:
                errors["message_id"] = gettext("That e-mail has not been sent yet.")
            elif exc.status == 403:
                errors["message_id"] = gettext(
                    "Only the organisation's admins can record a bounce."
                )
            elif exc.status in (400, 422):
                target = "reason" if exc.field == "reason" else "message_id"
                errors[target] = gettext("Check this value: %(detail)s") % {"detail": exc.message}
            else:
                raise
    if errors:
        return await _list_page(
            request, templates, api, reminders, me, bounce=bounce, errors=errors, status_code=422
        )
    notify(request, "bounce_recorded")
    return see_other(SECTION)


# -- the editor ----------------------------------------------------------------------------


async def _partner_choices(api: Api, form: NewsletterForm) -> dict[int, list[tuple[str, str]]]:
    """For each "new partners" part: the partners chosen (by name) and then the
    organisation's own active partners who agreed to newsletters whose names start with the
    words to find (the first ones when nothing was asked)."""
    choices: dict[int, list[tuple[str, str]]] = {}
    for index, block in enumerate(form.blocks):
        if block.type != "new_partners":
            continue
        # Only those who may be named: reminders refuses the others when saving.
        params: dict[str, Any] = {"scope": "own", "status": "active", "consent": "newsletter"}
        params["page_size"] = PARTNERS_OFFERED
        if block.find:
            params["name"] = block.find
        chosen, found = await asyncio.gather(
            asyncio.gather(
                *(api.read_or_none(Partner, f"/partners/{pid}") for pid in block.partner_ids)
            ),
            api.read_or_none(PartnerPage, "/partners", params),
        )
        offered = [(p.id, p.name) for p in chosen if p is not None]
        seen = {pid for pid, _ in offered}
        offered += [(p.id, p.name) for p in (found.items if found else []) if p.id not in seen]
        choices[index] = offered
    return choices


async def _editor(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    form: NewsletterForm,
    *,
    issue: NewsletterIssue | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    pools, partners = await asyncio.gather(_pools(api), _partner_choices(api, form))
    audiences = audience_labels(pools, gettext)
    if form.audience not in audiences:
        audiences[form.audience] = gettext("A pool the organisation is no longer in")
    return templates.render(
        request,
        "reminders/newsletter_form.html",
        page_context(
            me,
            SECTION,
            form=form,
            issue=issue,
            action=f"{issue_path(issue.id)}/edit" if issue else f"{SECTION}/new",
            audiences=list(audiences.items()),
            partner_choices=partners,
            block_types=BLOCK_TYPES,
            errors=errors or {},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


async def _save(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    issue: NewsletterIssue | None,
) -> Response:
    """The editor's form came back: an editing action, or saving (a new issue with POST,
    an existing one with PUT)."""
    gettext = templates.gettext(request).gettext
    data = await request.form()
    form = NewsletterForm.from_form(data)
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _editor(
            request, templates, api, me, form, issue=issue,
            form_error=gettext("The page had expired. Check the details and save again."),
            status_code=400,
        )  # fmt: skip
    action = text_of(data, "action") or "save"
    if action != "save":
        form.apply(action)
        return await _editor(request, templates, api, me, form, issue=issue)
    errors = form.check(gettext, datetime.now(UTC))
    form_error = ""
    if not errors:
        try:
            if issue is None:
                saved = await reminders.write(
                    NewsletterIssue, "POST", "/newsletters", form.payload()
                )
            else:
                saved = await reminders.write(
                    NewsletterIssue, "PUT", f"/newsletters/{issue.id}", form.payload()
                )
        except Rejected as exc:
            if exc.status == 409:
                form_error = gettext(
                    "This newsletter is being sent or was sent already, so it cannot be changed."
                )
            elif exc.status in (400, 422):
                errors, form_error = exc.at_fields(lambda field, _: form.api_error(field, gettext))
                refused = form.refused_partners([field for field, _ in exc.problems])
                for index, partner_ids in refused.items():
                    errors[f"block-{index}-partner"] = await _refused_message(
                        request, templates, api, partner_ids
                    )
            else:
                raise
        else:
            notify(request, "newsletter_scheduled" if saved.scheduled_at else "newsletter_saved")
            return see_other(issue_path(saved.id))
    return await _editor(
        request, templates, api, me, form, issue=issue, errors=errors, form_error=form_error,
        status_code=409 if form_error and not errors and issue is not None else 422,
    )  # fmt: skip


async def _refused_message(
    request: Request, templates: TemplatesDep, api: Api, partner_ids: list[str]
) -> str:
    """The partners who may not be named, by name: their consent is missing, or was
    withdrawn after they were chosen."""
    catalogue = templates.gettext(request)
    found = await asyncio.gather(
        *(api.read_or_none(Partner, f"/partners/{p}") for p in partner_ids)
    )
    names = [p.name if p else catalogue.gettext("a partner no longer in the file") for p in found]
    return catalogue.ngettext(
        "%(names)s has not agreed to be named in newsletters. Untick them.",
        "%(names)s have not agreed to be named in newsletters. Untick them.",
        len(names),
    ) % {"names": format_list(names, locale=request_language(request))}


@router.get("/reminders/newsletters/new")
async def new_newsletter(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep
) -> Response:
    return await _editor(request, templates, api, me, NewsletterForm())


@router.post("/reminders/newsletters/new")
async def create_newsletter(
    request: Request, templates: TemplatesDep, api: ApiDep, reminders: RemindersApiDep, me: StaffDep
) -> Response:
    return await _save(request, templates, api, reminders, me, None)


@router.get("/reminders/newsletters/{issue_id}/edit")
async def edit_newsletter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    issue_id: str,
) -> Response:
    issue = await reminders.read(NewsletterIssue, f"/newsletters/{issue_id}")
    if not issue.editable:
        return see_other(issue_path(issue.id))
    return await _editor(request, templates, api, me, NewsletterForm.from_issue(issue), issue=issue)


@router.post("/reminders/newsletters/{issue_id}/edit")
async def save_newsletter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    issue_id: str,
) -> Response:
    issue = await reminders.read(NewsletterIssue, f"/newsletters/{issue_id}")
    return await _save(request, templates, api, reminders, me, issue)


# -- an issue: preview, sending, recipients --------------------------------------------------


async def _issue_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    reminders: Api,
    me: Me,
    issue_id: str,
    *,
    page: int = 1,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    base = f"/newsletters/{issue_id}"
    issue = await reminders.read(NewsletterIssue, base)
    params = {"limit": RECIPIENTS_PAGE + 1, "offset": (page - 1) * RECIPIENTS_PAGE}
    preview, recipients, pools = await asyncio.gather(
        reminders.read(NewsletterPreview, f"{base}/preview"),
        reminders.read(list[NewsletterRecipient], f"{base}/deliveries", params),
        _pools(api),
    )
    more = len(recipients) > RECIPIENTS_PAGE
    path = issue_path(issue.id)
    return templates.render(
        request,
        "reminders/newsletter.html",
        page_context(
            me,
            SECTION,
            issue=issue,
            preview=preview,
            recipients=recipients[:RECIPIENTS_PAGE],
            audience=audience_labels(pools, gettext).get(
                issue.audience, gettext("A pool the organisation is no longer in")
            ),
            previous_url=f"{path}?page={page - 1}#recipients" if page > 1 else "",
            next_url=f"{path}?page={page + 1}#recipients" if more else "",
            errors={},
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/reminders/newsletters/{issue_id}")
async def newsletter_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    issue_id: str,
    page: int = 1,
) -> Response:
    page = max(1, min(page, 10_000))
    return await _issue_page(request, templates, api, reminders, me, issue_id, page=page)


@router.get("/reminders/newsletters/{issue_id}/preview")
async def newsletter_preview(reminders: RemindersApiDep, me: StaffDep, issue_id: str) -> Response:
    """The e-mail's HTML on its own, for the preview frame on the issue's page."""
    preview = await reminders.read(NewsletterPreview, f"/newsletters/{issue_id}/preview")
    return HTMLResponse(
        preview.html,
        headers={
            "Content-Security-Policy": PREVIEW_POLICY,
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        },
    )


@router.post("/reminders/newsletters/{issue_id}/send")
async def send_newsletter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    issue_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _issue_page(
            request, templates, api, reminders, me, issue_id,
            form_error=expired(gettext), status_code=400,
        )  # fmt: skip
    try:
        sent = await reminders.write(NewsletterSent, "POST", f"/newsletters/{issue_id}/send", None)
    except Rejected as exc:
        if exc.status == 409:
            message = gettext("This newsletter is being sent or was sent already.")
        elif exc.status in (400, 422) and exc.field == "audience":
            message = gettext(
                "Your organisation is no longer an active member of the pool. Edit the "
                "newsletter and choose who receives it."
            )
        else:
            raise
        return await _issue_page(
            request, templates, api, reminders, me, issue_id, form_error=message, status_code=409
        )
    notify(request, "newsletter_sent" if sent.recipients else "newsletter_no_recipients")
    return see_other(f"{issue_path(issue_id)}#recipients")


@router.post("/reminders/newsletters/{issue_id}/delete")
async def delete_newsletter(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    reminders: RemindersApiDep,
    me: StaffDep,
    issue_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    if not csrf_valid(request, text_of(data, "csrf_token")):
        return await _issue_page(
            request, templates, api, reminders, me, issue_id,
            form_error=expired(gettext), status_code=400,
        )  # fmt: skip
    try:
        await reminders.send("DELETE", f"/newsletters/{issue_id}")
    except Rejected as exc:
        if exc.status != 409:
            raise
        return await _issue_page(
            request, templates, api, reminders, me, issue_id,
            form_error=gettext("A newsletter that is being sent or was sent is kept."),
            status_code=409,
        )  # fmt: skip
    notify(request, "newsletter_deleted")
    return see_other(SECTION)


# -- the unsubscribe link (no login) ---------------------------------------------------------


@router.api_route("/unsubscribe/{token}", methods=["GET", "POST"])
async def unsubscribe(request: Request, reminders: RemindersDep, token: str) -> Response:
    """A newsletter's unsubscribe link, when it points at the portal: passed on to reminders
    unchanged (``GET`` the confirmation form, ``POST`` the form or a mail client's
    one-click request) and its answer given back. Nobody needs to log in: the token in the
    link is the key, and reminders checks it."""
    if not UNSUBSCRIBE_TOKEN.fullmatch(token) or token in (".", ".."):
        return HTMLResponse("", status_code=404)
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
    body = await request.body() if request.method == "POST" else None
    answer = await reminders.forward(
        request.method, f"/unsubscribe/{token}", headers=headers, content=body
    )
    passed = {
        "Content-Security-Policy": UNSUBSCRIBE_POLICY,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type", "text/html"),
        headers=passed,
    )
