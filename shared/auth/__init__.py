"""Access tokens (Ed25519-signed JWT), their verification and the FastAPI dependencies
that give every route its principal."""

from shared.auth.deps import PrincipalDep, require_roles
from shared.auth.principal import ROLES, Principal
from shared.auth.tokens import TokenIssuer, TokenVerifier, load_signing_key

__all__ = [
    "ROLES",
    "Principal",
    "PrincipalDep",
    "TokenIssuer",
    "TokenVerifier",
    "load_signing_key",
    "require_roles",
]
