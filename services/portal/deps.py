"""Dependencies of the portal's routes: the registry client, the page renderer, the
logged-in person (``PrincipalDep``, or ``member_of(section)`` for a section's pages), and the
registry (``ApiDep``), matching (``MatchingApiDep``) and reminders (``RemindersApiDep``) as
that person, refreshing an expired access token on the way."""

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol, TypeVar

import httpx
from fastapi import Depends, Request
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException

from services.portal.matching_client import MatchingClient, MatchingUnavailable
from services.portal.navigation import SECTIONS_BY_KEY, may_enter
from services.portal.registry_client import (
    Me,
    NotAuthenticated,
    RegistryClient,
    RegistryUnavailable,
    Rejected,
)
from services.portal.reminders_client import RemindersClient, RemindersUnavailable
from services.portal.templating import Templates
from services.portal.tokens import (
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    TokenRefresher,
    forget_tokens,
    store_tokens,
)

T = TypeVar("T")
SAFE_PATH = re.compile(r"(/[A-Za-z0-9._:-]+)+")


class LoginRequired(Exception):
    """No usable session: the person is sent to the login page."""


class NoAccess(Exception):
    """The person is logged in but their roles do not open this section (403)."""

    def __init__(self, me: Me) -> None:
        super().__init__("no access")
        self.me = me


def get_registry(request: Request) -> RegistryClient:
    registry: RegistryClient = request.app.state.registry
    return registry


def get_matching(request: Request) -> MatchingClient:
    matching: MatchingClient = request.app.state.matching
    return matching


def get_reminders(request: Request) -> RemindersClient:
    reminders: RemindersClient = request.app.state.reminders
    return reminders


def get_refresher(request: Request) -> TokenRefresher:
    refresher: TokenRefresher = request.app.state.refresher
    return refresher


def get_templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


RegistryDep = Annotated[RegistryClient, Depends(get_registry)]
MatchingDep = Annotated[MatchingClient, Depends(get_matching)]
RemindersDep = Annotated[RemindersClient, Depends(get_reminders)]
RefresherDep = Annotated[TokenRefresher, Depends(get_refresher)]
TemplatesDep = Annotated[Templates, Depends(get_templates)]


async def current_principal(request: Request, registry: RegistryDep, refresher: RefresherDep) -> Me:
    """Who is logged in, as the registry says now. When the registry refuses the access
    token (it expired), the refresh token buys a new pair once; when that fails too, or
    the registry refuses the person altogether (membership ended), the session's tokens
    are dropped and the person logs in again."""
    access = request.session.get(ACCESS_TOKEN)
    if not access:
        raise LoginRequired
    try:
        return await registry.me(access)
    except NotAuthenticated:
        pass
    except Rejected:
        forget_tokens(request)
        raise LoginRequired from None
    refresh = request.session.get(REFRESH_TOKEN)
    if not refresh:
        forget_tokens(request)
        raise LoginRequired
    try:
        tokens = await refresher.refresh(refresh)
        store_tokens(request, tokens)
        return await registry.me(tokens.access_token)
    except (NotAuthenticated, Rejected):
        forget_tokens(request)
        raise LoginRequired from None


PrincipalDep = Annotated[Me, Depends(current_principal)]


def member_of(section_key: str) -> Callable[..., Awaitable[Me]]:
    """A dependency giving the logged-in person when their roles open the section; the
    registry checks again on every call, so this only decides what the portal offers."""
    section = SECTIONS_BY_KEY[section_key]

    async def dependency(me: PrincipalDep) -> Me:
        if not may_enter(section, me.roles):
            raise NoAccess(me)
        return me

    dependency.__name__ = f"member_of_{section_key}"
    return dependency


def parse_answer(
    shape: type[T],
    response: httpx.Response,
    unavailable: type[Exception] = RegistryUnavailable,
) -> T:
    """A service's JSON as ``shape`` (a model, or e.g. ``list[Model]``); an answer of another
    shape counts as the service being unavailable."""
    try:
        return TypeAdapter(shape).validate_json(response.content)
    except ValidationError as exc:
        raise unavailable(f"unexpected answer: {exc.error_count()} problems") from exc


class Service(Protocol):
    """What :class:`Api` needs of a service's client (the registry's, matching's,
    reminders')."""

    async def call(
        self, method: str, path: str, access_token: str, **kwargs: Any
    ) -> httpx.Response: ...


class Api:
    """A service (the registry unless told otherwise) as the logged-in person, for one
    request. Each call carries the session's access token; one that expired while the page
    was being built (they live minutes, or seconds in tests) is refreshed once through the
    registry and the call repeated."""

    def __init__(
        self,
        request: Request,
        service: Service,
        refresher: TokenRefresher,
        unavailable: type[Exception] = RegistryUnavailable,
    ):
        self.request = request
        self.service = service
        self.refresher = refresher
        self.unavailable = unavailable

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not SAFE_PATH.fullmatch(path) or any(s in (".", "..") for s in path.split("/")):
            # Ids from the address bar become path segments: never let one reach another
            # of the service's paths.
            raise HTTPException(404)
        session = self.request.session
        access = session.get(ACCESS_TOKEN)
        if not access:
            raise LoginRequired
        try:
            return await self.service.call(method, path, access, **kwargs)
        except NotAuthenticated:
            pass
        if session.get(ACCESS_TOKEN) not in (None, access):
            # A call running beside this one has refreshed the tokens already.
            return await self._once_more(method, path, session[ACCESS_TOKEN], **kwargs)
        refresh = session.get(REFRESH_TOKEN)
        if not refresh:
            forget_tokens(self.request)
            raise LoginRequired
        try:
            tokens = await self.refresher.refresh(refresh)
        except (NotAuthenticated, Rejected):
            forget_tokens(self.request)
            raise LoginRequired from None
        store_tokens(self.request, tokens)
        return await self._once_more(method, path, tokens.access_token, **kwargs)

    async def _once_more(
        self, method: str, path: str, access: str, **kwargs: Any
    ) -> httpx.Response:
        try:
            return await self.service.call(method, path, access, **kwargs)
        except NotAuthenticated:
            forget_tokens(self.request)
            raise LoginRequired from None

    async def read(self, shape: type[T], path: str, params: Any = None) -> T:
        return parse_answer(shape, await self.send("GET", path, params=params), self.unavailable)

    async def write(self, shape: type[T], method: str, path: str, body: Any) -> T:
        return parse_answer(shape, await self.send(method, path, json=body), self.unavailable)

    async def read_or_none(self, shape: type[T], path: str, params: Any = None) -> T | None:
        """For what a page can do without: a part of the service that is not there (404)
        or not open to this person (403) gives ``None`` instead of an error page."""
        try:
            return await self.read(shape, path, params)
        except Rejected as exc:
            if exc.status in (403, 404, 405):
                return None
            raise


def get_api(request: Request, registry: RegistryDep, refresher: RefresherDep) -> Api:
    return Api(request, registry, refresher)


ApiDep = Annotated[Api, Depends(get_api)]


def get_matching_api(request: Request, matching: MatchingDep, refresher: RefresherDep) -> Api:
    return Api(request, matching, refresher, MatchingUnavailable)


MatchingApiDep = Annotated[Api, Depends(get_matching_api)]


def get_reminders_api(request: Request, reminders: RemindersDep, refresher: RefresherDep) -> Api:
    return Api(request, reminders, refresher, RemindersUnavailable)


RemindersApiDep = Annotated[Api, Depends(get_reminders_api)]
