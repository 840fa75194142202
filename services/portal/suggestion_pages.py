"""Suggestions for one wish of a support user, for staff: each community resource with
its partner, whose it is, the reasons in words and the plain sentence for the person, and
proposing a referral to it (sharing the person's details only with their consent)."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.deps import Api, MatchingApiDep, TemplatesDep
from services.portal.i18n import request_language
from services.portal.notices import notify
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import Referral, Suggestions, SupportUser, Wish
from services.portal.security import csrf_valid
from services.portal.support_user_form import text_of
from services.portal.support_user_pages import NOTE_MAX, WorkerDep, page_context, see_other

router = APIRouter(include_in_schema=False)

SUGGESTIONS_SHOWN = 10


async def render_suggestions(
    request: Request,
    templates: TemplatesDep,
    matching: Api,
    me: Me,
    support_user_id: str,
    wish_id: str,
    *,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_error: str = "",
    status_code: int = 200,
) -> Response:
    base = f"/support-users/{support_user_id}"
    person, wish, referrals = await asyncio.gather(
        matching.read(SupportUser, base),
        matching.read(Wish, f"/wishes/{wish_id}"),
        matching.read(list[Referral], f"{base}/referrals"),
    )
    if wish.support_user_id != person.id:
        raise Rejected(404, "not_found", "no such wish", None)
    # Why there are no suggestions, when matching refuses them: "consent" or "closed".
    blocked = ""
    suggestions = Suggestions(wish_id=wish.id, items=[])
    try:
        suggestions = await matching.read(
            Suggestions, f"/wishes/{wish_id}/suggestions", {"limit": SUGGESTIONS_SHOWN}
        )
    except Rejected as exc:
        if exc.code == "consent_missing":
            blocked = "consent"
        elif exc.status in (400, 422):
            blocked = "closed"
        else:
            raise
    language = request_language(request)
    referred = {r.resource_id: r for r in referrals if r.wish_id == wish.id and r.open}
    # An error of one suggestion's form ("share", "note") at that form's field.
    sent = sent or {}
    field_errors: dict[str, str] = {}
    number = next(
        (n for n, s in enumerate(suggestions.items, 1) if s.resource_id == sent.get("resource_id")),
        None,
    )
    for key, message in (errors or {}).items():
        if number is None:
            form_error = form_error or message
        else:
            field_errors[f"suggestion-{number}-{key}"] = message
    return templates.render(
        request,
        "support_users/suggestions.html",
        page_context(
            me,
            person=person,
            wish=wish,
            items=suggestions.items,
            blocked=blocked,
            referred=referred,
            # The person's own language for the sentence meant for them, when it differs.
            person_language=wish.language
            if wish.language in ("fi", "en") and wish.language != language
            else "",
            sent=sent,
            sent_number=number,
            errors=field_errors,
            form_error=form_error,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/support-users/{support_user_id}/wishes/{wish_id}/suggestions")
async def suggestions_page(
    request: Request,
    templates: TemplatesDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    wish_id: str,
) -> Response:
    return await render_suggestions(request, templates, matching, me, support_user_id, wish_id)


def _refusal(exc: Rejected, name: str, gettext: Translate) -> tuple[str, str]:
    """Matching's refusal of a referral as ("share" | "note" | "", message)."""
    if exc.code == "consent_missing" and exc.field == "share_details":
        return "share", gettext(
            "%(name)s has not agreed that their details may be passed to a partner. Record "
            "that consent on their page first, or propose the referral without sharing the "
            "details."
        ) % {"name": name}
    if exc.code == "consent_missing":
        return "", gettext(
            "%(name)s has not agreed to get suggestions. Record that consent on their page first."
        ) % {"name": name}
    if exc.field == "note":
        return "note", gettext("Shorten the note to at most 2000 characters.")
    if exc.field == "wish_id":
        return "", gettext("The wish is no longer open, so no referral can be proposed for it.")
    if exc.field == "resource_id":
        return "", gettext("This suggestion is no longer available. The list has been updated.")
    return "", gettext("Proposing did not succeed: %(detail)s") % {"detail": exc.message}


@router.post("/support-users/{support_user_id}/wishes/{wish_id}/referrals")
async def propose_referral(
    request: Request,
    templates: TemplatesDep,
    matching: MatchingApiDep,
    me: WorkerDep,
    support_user_id: str,
    wish_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    sent = {
        "resource_id": text_of(data, "resource_id"),
        "share_details": "1" if text_of(data, "share_details") else "",
        "note": text_of(data, "note"),
    }
    errors: dict[str, str] = {}
    form_error = ""
    if not csrf_valid(request, text_of(data, "csrf_token")):
        form_error = gettext("The page had expired. Send the form again.")
    elif not sent["resource_id"]:
        form_error = gettext("Choose a suggestion to propose.")
    elif len(sent["note"]) > NOTE_MAX:
        errors["note"] = gettext("Shorten the note to at most 2000 characters.")
    if not errors and not form_error:
        body: dict[str, Any] = {
            "wish_id": wish_id,
            "resource_id": sent["resource_id"],
            "share_details": bool(sent["share_details"]),
            "note": sent["note"],
        }
        try:
            created = await matching.write(Referral, "POST", "/referrals", body)
        except Rejected as exc:
            if exc.status not in (400, 403, 422) or (
                exc.status == 403 and exc.code != "consent_missing"
            ):
                raise
            person = await matching.read(SupportUser, f"/support-users/{support_user_id}")
            target, message = _refusal(exc, person.name, gettext)
            if target:
                errors[target] = message
            else:
                form_error = message
        else:
            notify(request, "referral_proposed")
            return see_other(f"/support-users/{support_user_id}#referral-{created.id}")
    return await render_suggestions(
        request, templates, matching, me, support_user_id, wish_id,
        sent=sent, errors=errors, form_error=form_error, status_code=422,
    )  # fmt: skip
