"""The support user's own page: their wishes in their own words, ideas for each wish as one
plain sentence in their language, what happens with the ideas their worker has taken up,
and what they are good at. Big buttons: say a new wish, say yes (or no) to getting ideas.
Nothing here is for staff only: no scores, no reasons lists, no notes, nobody else."""

import asyncio
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.deps import Api, MatchingApiDep, TemplatesDep, member_of
from services.portal.i18n import request_language
from services.portal.labels import RESOURCE_CHECK_KINDS
from services.portal.navigation import sections_for
from services.portal.notices import notify
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import CheckItem, Referral, Suggestions, SupportUser, Wish
from services.portal.security import csrf_valid
from services.portal.support_user_form import text_of

router = APIRouter(include_in_schema=False)

SupportUserDep = Annotated[Me, Depends(member_of("my_network"))]
PATH = "/my-network"
IDEAS_PER_WISH = 3  # a few at a time, easy to take in
IDEAS_ASKED = 6  # some of the best may have been taken up already
WISH_TEXT_MAX = 2000


async def _ideas(matching: Api, wish: Wish) -> Suggestions | None:
    """Ideas for one wish, or ``None`` when matching has none to give (no consent, the
    wish closed meanwhile)."""
    try:
        return await matching.read(
            Suggestions, f"/wishes/{wish.id}/suggestions", {"limit": IDEAS_ASKED}
        )
    except Rejected as exc:
        if exc.status in (400, 403, 404, 422):
            return None
        raise


async def _page(
    request: Request,
    templates: TemplatesDep,
    matching: Api,
    me: Me,
    *,
    wish_text: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    # "easy": plain language, large text and targets (see portal.css).
    context: dict[str, Any] = {"me": me, "sections": sections_for(me.roles), "body_class": "easy"}
    try:
        person = await matching.read(SupportUser, "/support-users/me")
    except Rejected as exc:
        if exc.status != 404:
            raise
        return templates.render(
            request, "my_network.html", {**context, "person": None, "errors": {}}, private=True
        )
    base = f"/support-users/{person.id}"
    wishes, referrals, items = await asyncio.gather(
        matching.read(list[Wish], f"{base}/wishes"),
        matching.read(list[Referral], f"{base}/referrals"),
        matching.read(list[CheckItem], f"{base}/resource-check"),
    )
    open_wishes = [w for w in wishes if w.open]
    ideas: dict[str, Suggestions | None] = {}
    if person.consent.matching:
        found = await asyncio.gather(*(_ideas(matching, w) for w in open_wishes))
        ideas = {w.id: s for w, s in zip(open_wishes, found, strict=True)}
    language = request_language(request)
    return templates.render(
        request,
        "my_network.html",
        {
            **context,
            "person": person,
            "wishes": [_wish_view(w, ideas.get(w.id), referrals, language) for w in wishes],
            "checks_by_kind": {
                kind: [i for i in items if i.kind == kind] for kind in RESOURCE_CHECK_KINDS
            },
            "sentence_language": language,
            "wish_text": wish_text,
            "errors": errors or {},
        },
        private=True,
        status_code=status_code,
    )


@dataclass
class Happening:
    """A referral for one of the person's wishes: what it is (when known) and its status."""

    title: str
    status: str


@dataclass
class WishView:
    wish: Wish
    # Plain sentences of the ideas not taken up yet, in the page's language.
    ideas: list[str] = field(default_factory=list)
    happening: list[Happening] = field(default_factory=list)
    # Whether ideas were looked for at all (consent given and the wish open).
    looked: bool = False


def _wish_view(
    wish: Wish, found: Suggestions | None, referrals: list[Referral], language: str
) -> WishView:
    items = found.items if found else []
    titles = {item.resource_id: item.title for item in items}
    mine = [r for r in referrals if r.wish_id == wish.id]
    taken = {r.resource_id for r in mine}
    return WishView(
        wish=wish,
        ideas=[
            item.explanation.get(language) or item.explanation.get("fi", "")
            for item in items
            if item.resource_id not in taken
        ][:IDEAS_PER_WISH],
        happening=[Happening(titles.get(r.resource_id, ""), r.status) for r in mine],
        looked=found is not None,
    )


@router.get(PATH)
async def my_network(
    request: Request, templates: TemplatesDep, matching: MatchingApiDep, me: SupportUserDep
) -> Response:
    return await _page(request, templates, matching, me)


@router.post(f"{PATH}/wishes")
async def add_my_wish(
    request: Request, templates: TemplatesDep, matching: MatchingApiDep, me: SupportUserDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    text = text_of(data, "text")
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["my-wish"] = gettext("The page was open too long. Please try again.")
    elif len(text) < 2:
        errors["my-wish"] = gettext("Write your wish here first.")
    elif len(text) > WISH_TEXT_MAX:
        errors["my-wish"] = gettext("Your wish is very long. Please make it shorter.")
    if not errors:
        person = await matching.read(SupportUser, "/support-users/me")
        language = request_language(request)
        body = {"text": text, "language": language, "method": "own_words"}
        try:
            await matching.send("POST", f"/support-users/{person.id}/wishes", json=body)
        except Rejected as exc:
            if exc.status not in (400, 422):
                raise
            errors["my-wish"] = gettext("Your wish is very long. Please make it shorter.")
    if errors:
        return await _page(
            request, templates, matching, me, wish_text=text, errors=errors, status_code=422
        )
    notify(request, "my_wish_added")
    return RedirectResponse(f"{PATH}#my-wishes", status_code=303)


@router.post(f"{PATH}/consent")
async def my_consent(
    request: Request, templates: TemplatesDep, matching: MatchingApiDep, me: SupportUserDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    action = text_of(data, "action")
    if not csrf_valid(request, text_of(data, "csrf_token")) or action not in (
        "granted",
        "withdrawn",
    ):
        errors = {"ideas-consent": gettext("The page was open too long. Please try again.")}
        return await _page(request, templates, matching, me, errors=errors, status_code=400)
    person = await matching.read(SupportUser, "/support-users/me")
    # Said by the person themselves in the portal: electronically.
    body = {"purpose": "matching", "action": action, "method": "electronic"}
    await matching.send("POST", f"/support-users/{person.id}/consents", json=body)
    notify(request, "my_consent_given" if action == "granted" else "my_consent_withdrawn")
    return RedirectResponse(f"{PATH}#my-wishes", status_code=303)
