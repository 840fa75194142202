"""The portal's pages: log in and out, the language switch, home, and the sections (still
placeholders). Routes only translate between HTTP and the registry client."""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.deps import (
    Api,
    PrincipalDep,
    RegistryDep,
    RemindersApiDep,
    TemplatesDep,
    parse_answer,
)
from services.portal.i18n import LANGUAGES, N_
from services.portal.navigation import (
    SECTIONS,
    SECTIONS_BY_KEY,
    Section,
    may_enter,
    sections_for,
)
from services.portal.notices import notify, take_notice
from services.portal.registry_client import (
    Me,
    NotAuthenticated,
    RegistryUnavailable,
    Rejected,
)
from services.portal.reminders_client import RemindersUnavailable
from services.portal.schemas import DueItem
from services.portal.security import csrf_valid, rotate_csrf_token, safe_next
from services.portal.tokens import (
    ACCESS_TOKEN,
    LANGUAGE,
    REFRESH_TOKEN,
    forget_tokens,
    store_tokens,
)

log = logging.getLogger("kortisto.portal")

router = APIRouter(include_in_schema=False)

FormField = Annotated[str, Form()]


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _principal_context(me: Me) -> dict[str, Any]:
    return {"me": me, "sections": sections_for(me.roles)}


@router.get("/login")
def login_page(
    request: Request,
    templates: TemplatesDep,
    next_path: Annotated[str, Query(alias="next")] = "/",
) -> Response:
    # Deliberately no call to the registry: the login page must work while it is down.
    if request.session.get(ACCESS_TOKEN):
        return _see_other(safe_next(next_path))
    notice = take_notice(request)
    return templates.render(
        request,
        "login.html",
        {
            "email": "",
            "errors": {},
            "form_error": "",
            "notice": notice,
            "next": safe_next(next_path),
        },
    )


@router.post("/login")
async def login(
    request: Request,
    templates: TemplatesDep,
    registry: RegistryDep,
    email: FormField = "",
    password: FormField = "",
    csrf_token: FormField = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    _ = templates.gettext(request).gettext
    email = email.strip()
    errors: dict[str, str] = {}
    form_error = ""
    status = 422
    if not csrf_valid(request, csrf_token):
        form_error = _("The page had expired. Please log in again.")
    else:
        if not email:
            errors["email"] = _("Enter your e-mail address.")
        elif "@" not in email.strip("@"):
            errors["email"] = _(
                "Enter the e-mail address in the correct form, like name@example.org."
            )
        if not password:
            errors["password"] = _("Enter your password.")
    if not errors and not form_error:
        try:
            tokens = await registry.login(email, password)
        except NotAuthenticated:
            errors["password"] = _("The e-mail address or the password is wrong.")
        except Rejected as exc:
            if exc.status == 429:
                form_error = _("Too many attempts. Wait a moment and try again.")
                status = 429
            elif exc.field == "email":
                errors["email"] = _(
                    "Enter the e-mail address in the correct form, like name@example.org."
                )
            elif exc.field == "password":
                errors["password"] = _("Check the password.")
            else:
                form_error = _("Logging in did not succeed. Check the details and try again.")
        except RegistryUnavailable as exc:
            log.warning("login: registry unavailable", extra={"reason": str(exc)})
            form_error = _("Logging in is not possible right now. Please try again in a moment.")
            status = 503
        else:
            store_tokens(request, tokens)
            rotate_csrf_token(request)
            return _see_other(safe_next(next_path))
    return templates.render(
        request,
        "login.html",
        {
            "email": email,
            "errors": errors,
            "form_error": form_error,
            "notice": "",
            "next": safe_next(next_path),
        },
        status_code=status,
    )


@router.post("/logout")
async def logout(
    request: Request, templates: TemplatesDep, registry: RegistryDep, csrf_token: FormField = ""
) -> Response:
    if not request.session.get(ACCESS_TOKEN):
        return _see_other("/login")
    if not csrf_valid(request, csrf_token):
        return _form_expired(request, templates)
    refresh = request.session.get(REFRESH_TOKEN)
    if refresh:
        try:
            await registry.logout(refresh)
        except (RegistryUnavailable, NotAuthenticated, Rejected) as exc:
            # The tokens leave the browser either way; an unrevoked refresh token expires.
            log.warning("logout: refresh token not revoked", extra={"reason": type(exc).__name__})
    forget_tokens(request)
    rotate_csrf_token(request)
    notify(request, "logged_out")
    return _see_other("/login")


@router.post("/language/{code}")
def choose_language(
    request: Request,
    templates: TemplatesDep,
    code: str,
    csrf_token: FormField = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    if code not in LANGUAGES:
        return _error_page(request, templates, 404)
    if not csrf_valid(request, csrf_token):
        return _form_expired(request, templates)
    request.session[LANGUAGE] = code
    return _see_other(safe_next(next_path))


# The home page waits this long for the count of due items, then goes without it.
HOME_REMINDERS_SECONDS = 3.0


async def _open_due_items(reminders: Api, me: Me) -> int | None:
    """How many of my due items are open, for the home page; ``None`` when the person has
    none to have or reminders cannot tell right now (the home page never fails for it)."""
    if not may_enter(SECTIONS_BY_KEY["reminders"], me.roles):
        return None
    try:
        response = await reminders.send(
            "GET", "/notifications", params={"status": "open"}, timeout=HOME_REMINDERS_SECONDS
        )
        return len(parse_answer(list[DueItem], response, RemindersUnavailable))
    except (RemindersUnavailable, Rejected) as exc:
        log.warning("home: due items not counted", extra={"reason": type(exc).__name__})
        return None


@router.get("/")
async def home(
    request: Request, templates: TemplatesDep, me: PrincipalDep, reminders: RemindersApiDep
) -> Response:
    context = {**_principal_context(me), "due_count": await _open_due_items(reminders, me)}
    return templates.render(request, "home.html", context, private=True)


def _section_page(section: Section) -> Callable[..., Awaitable[Response]]:
    async def page(request: Request, templates: TemplatesDep, me: PrincipalDep) -> Response:
        if not may_enter(section, me.roles):
            return _error_page(request, templates, 403, _principal_context(me))
        return templates.render(
            request,
            "coming_soon.html",
            {**_principal_context(me), "section": section},
            private=True,
        )

    page.__name__ = f"{section.key}_page"
    return page


for _section in SECTIONS:
    if _section.placeholder:
        router.add_api_route(_section.path, _section_page(_section), methods=["GET"])


def _form_expired(request: Request, templates: TemplatesDep) -> Response:
    return _error_page(request, templates, 400)


ERROR_PAGES = {
    400: (N_("The page had expired"), N_("Go back, reload the page and try again.")),
    403: (
        N_("No access to this page"),
        N_(
            "Your roles do not give access to this page. Ask your organisation's admin if you "
            "need it."
        ),
    ),
    404: (N_("Page not found"), N_("Check the address, or start again from the home page.")),
    413: (
        N_("The file is too large"),
        N_("Split it into smaller files and send them one at a time."),
    ),
    422: (
        N_("This could not be done"),
        N_("The details may have changed in the meantime. Go back, reload the page and try again."),
    ),
    405: (N_("Page not found"), N_("Check the address, or start again from the home page.")),
    503: (
        N_("Kortisto is not available right now"),
        N_("Part of the service is not answering. Please try again in a moment."),
    ),
}


def _error_page(
    request: Request,
    templates: TemplatesDep,
    status: int,
    context: dict[str, Any] | None = None,
) -> Response:
    title, message = ERROR_PAGES.get(status, ERROR_PAGES[404])
    return templates.render(
        request,
        "error.html",
        {**(context or {}), "title": title, "message": message, "status": status},
        status_code=status,
        private=True,
    )


def error_page(request: Request, status: int, context: dict[str, Any] | None = None) -> Response:
    """An error page in the request's language, for the app's exception handlers."""
    return _error_page(request, request.app.state.templates, status, context)
