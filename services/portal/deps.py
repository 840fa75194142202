"""Dependencies of the portal's routes: the registry client, the page renderer and the
logged-in person (``PrincipalDep``), refreshing an expired access token on the way."""

from typing import Annotated

from fastapi import Depends, Request

from services.portal.registry_client import (
    Me,
    NotAuthenticated,
    RegistryClient,
    Rejected,
    TokenPair,
)
from services.portal.settings import PortalSettings
from services.portal.templating import Templates

# The only things the session cookie ever holds: tokens, the chosen language, the form
# token and a one-shot notice code. Never a name, an e-mail address or any other personal
# value.
ACCESS_TOKEN = "access_token"
REFRESH_TOKEN = "refresh_token"
LANGUAGE = "language"
NOTICE = "notice"


class LoginRequired(Exception):
    """No usable session: the person is sent to the login page."""


def get_settings(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


def get_registry(request: Request) -> RegistryClient:
    registry: RegistryClient = request.app.state.registry
    return registry


def get_templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[PortalSettings, Depends(get_settings)]
RegistryDep = Annotated[RegistryClient, Depends(get_registry)]
TemplatesDep = Annotated[Templates, Depends(get_templates)]


def store_tokens(request: Request, tokens: TokenPair) -> None:
    request.session[ACCESS_TOKEN] = tokens.access_token
    request.session[REFRESH_TOKEN] = tokens.refresh_token


def forget_tokens(request: Request) -> None:
    request.session.pop(ACCESS_TOKEN, None)
    request.session.pop(REFRESH_TOKEN, None)


async def current_principal(request: Request, registry: RegistryDep) -> Me:
    """Who is logged in, as the registry says now. An access token the registry refuses is
    exchanged once for a new pair with the refresh token; if that fails too, the session's
    tokens are dropped and the person logs in again."""
    access = request.session.get(ACCESS_TOKEN)
    if not access:
        raise LoginRequired
    try:
        return await registry.me(access)
    except NotAuthenticated:
        pass
    refresh = request.session.get(REFRESH_TOKEN)
    if not refresh:
        forget_tokens(request)
        raise LoginRequired
    try:
        tokens = await registry.refresh(refresh)
        store_tokens(request, tokens)
        return await registry.me(tokens.access_token)
    except (NotAuthenticated, Rejected):
        forget_tokens(request)
        raise LoginRequired from None


PrincipalDep = Annotated[Me, Depends(current_principal)]
