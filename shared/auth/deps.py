"""FastAPI dependencies: the current principal from the bearer token (verified by the
``TokenVerifier`` each service keeps on ``app.state.token_verifier``) and role checks."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.principal import ROLES, Principal
from shared.errors import Forbidden, Unauthorized

bearer = HTTPBearer(auto_error=False, description="An access token issued by the registry")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an access token is required", code="not_authenticated")
    principal: Principal = request.app.state.token_verifier.verify(credentials.credentials)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only principals holding one of ``roles``."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def check(principal: PrincipalDep) -> Principal:
        if not principal.has_any(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
        return principal

    return check


AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
