"""Dependencies of the portal's routes: the registry client, the page renderer and the
logged-in person (``PrincipalDep``), refreshing an expired access token on the way."""

from typing import Annotated

from fastapi import Depends, Request

from services.portal.registry_client import Me, NotAuthenticated, RegistryClient, Rejected
from services.portal.templating import Templates
from services.portal.tokens import (
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    TokenRefresher,
    forget_tokens,
    store_tokens,
)


class LoginRequired(Exception):
    """No usable session: the person is sent to the login page."""


def get_registry(request: Request) -> RegistryClient:
    registry: RegistryClient = request.app.state.registry
    return registry


def get_refresher(request: Request) -> TokenRefresher:
    refresher: TokenRefresher = request.app.state.refresher
    return refresher


def get_templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


RegistryDep = Annotated[RegistryClient, Depends(get_registry)]
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
