"""The portal application: server-rendered pages for staff, support users, coordinators and
planners, logging in through the registry. Run with
``uvicorn --factory services.portal.app:create_app``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.portal.access_log_pages import router as access_log_router
from services.portal.deps import LoginRequired, NoAccess
from services.portal.district_pages import router as district_router
from services.portal.eco_map_pages import router as eco_map_router
from services.portal.i18n import load_translations
from services.portal.matching_client import MatchingClient, MatchingUnavailable
from services.portal.meeting_pages import router as meeting_router
from services.portal.my_network_pages import router as my_network_router
from services.portal.navigation import sections_for
from services.portal.network_pages import router as network_router
from services.portal.newsletter_pages import router as newsletter_router
from services.portal.pages import error_page, router
from services.portal.partner_pages import router as partner_router
from services.portal.planning_pages import router as planning_router
from services.portal.registry_client import RegistryClient, RegistryUnavailable, Rejected
from services.portal.reminder_pages import router as reminder_router
from services.portal.reminders_client import RemindersClient, RemindersUnavailable
from services.portal.security import SecurityHeaders
from services.portal.settings import PortalSettings
from services.portal.suggestion_pages import router as suggestion_router
from services.portal.support_user_pages import router as support_user_router
from services.portal.templating import Templates
from services.portal.tokens import TokenRefresher
from services.portal.transfer_pages import router as transfer_router
from shared.app import create_service_app
from shared.errors import HTTP_CODES, error_body
from shared.logging import configure_logging

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "kortisto_portal"


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    configure_logging("portal", settings.log_level)
    registry_url = settings.registry_url.rstrip("/")

    def registry_healthy() -> None:
        httpx.get(f"{registry_url}/healthz", timeout=3.0).raise_for_status()

    app = create_service_app(
        "portal",
        settings,
        checks={"registry": registry_healthy},
        title="Kortisto portal",
        description="Web pages of Kortisto in Finnish and English.",
    )
    app.state.settings = settings
    app.state.templates = Templates(load_translations())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.registry_timeout_seconds) as http:
            app.state.registry = RegistryClient(registry_url, http)
            app.state.matching = MatchingClient(settings.matching_url, http)
            app.state.reminders = RemindersClient(settings.reminders_url, http)
            app.state.refresher = TokenRefresher(app.state.registry)
            yield

    app.router.lifespan_context = lifespan

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_session_secret(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.refresh_token_days * 24 * 60 * 60,
        same_site="lax",
        https_only=settings.portal_url.startswith("https://"),
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    # The partners' fixed paths (/partners/new, /partners/import…) come before
    # /partners/{partner_id}.
    app.include_router(transfer_router)
    app.include_router(partner_router)
    app.include_router(district_router)
    app.include_router(access_log_router)
    # /support-users/new comes before /support-users/{support_user_id}.
    app.include_router(support_user_router)
    app.include_router(suggestion_router)
    app.include_router(my_network_router)
    app.include_router(eco_map_router)
    app.include_router(network_router)
    app.include_router(reminder_router)
    app.include_router(newsletter_router)
    app.include_router(meeting_router)
    app.include_router(planning_router)
    _install_page_errors(app)
    return app


def _install_page_errors(app: FastAPI) -> None:
    """Pages answer errors with HTML in the person's language; anything that asked for
    JSON (or a static file) keeps the shared JSON error shape."""

    async def login_required(request: Request, _: Exception) -> Response:
        path = request.url.path
        target = "/login" if path == "/" else "/login?" + urlencode({"next": path})
        return RedirectResponse(target, status_code=303)

    async def service_unavailable(request: Request, _: Exception) -> Response:
        return error_page(request, 503)

    async def no_access(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NoAccess)
        context = {"me": exc.me, "sections": sections_for(exc.me.roles)}
        return error_page(request, 403, context)

    async def registry_rejected(request: Request, exc: Exception) -> Response:
        # What a page did not handle itself: a service's 403 and 404 keep their meaning
        # (no access, no such partner), anything else is a request that cannot be done.
        assert isinstance(exc, Rejected)
        return error_page(request, exc.status if exc.status in (403, 404) else 422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and not request.url.path.startswith("/static/"):
            return error_page(request, exc.status_code)
        code = HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RegistryUnavailable, service_unavailable)
    app.add_exception_handler(MatchingUnavailable, service_unavailable)
    app.add_exception_handler(RemindersUnavailable, service_unavailable)
    app.add_exception_handler(NoAccess, no_access)
    app.add_exception_handler(Rejected, registry_rejected)
    app.add_exception_handler(StarletteHTTPException, http_error)
