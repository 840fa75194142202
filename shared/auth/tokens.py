"""Short-lived access tokens: JWT signed with Ed25519 (EdDSA) by the registry and verified
locally by every service against the registry's published JWKS."""

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.auth.principal import Principal
from shared.errors import Unauthorized
from shared.local_time import DEFAULT_ZONE
from shared.settings import SharedSettings

ALGORITHM = "EdDSA"


def load_signing_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The registry's signing key from a PEM file; made (0600) on first start when allowed."""
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"token signing key not found: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return loaded


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    # RFC 7638 thumbprint as the key id, so a rotated key gets a new kid by itself.
    thumbprint = hashlib.sha256(json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode())
    return {**jwk, "kid": _b64url(thumbprint.digest()), "alg": ALGORITHM, "use": "sig"}


class TokenIssuer:
    def __init__(
        self, key: Ed25519PrivateKey, *, issuer: str, audience: str, ttl_seconds: int
    ) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self.jwk = public_jwk(key.public_key())

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}

    def issue(self, principal: Principal, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.subject,
            "org": principal.organisation_id,
            "roles": sorted(principal.roles),
            "kind": principal.kind,
            "zoneinfo": principal.zone,
            "iat": issued,
            "exp": issued + self.ttl_seconds,
            "jti": secrets.token_hex(12),
        }
        return jwt.encode(claims, self.key, algorithm=ALGORITHM, headers={"kid": self.jwk["kid"]})


KeyLookup = Callable[[str], Any]


class TokenVerifier:
    """Verifies access tokens locally. ``key_for`` maps a key id to a public key: the
    registry passes its own key, other services a cached JWKS client."""

    def __init__(self, key_for: KeyLookup, *, issuer: str, audience: str) -> None:
        self.key_for = key_for
        self.issuer = issuer
        self.audience = audience

    @classmethod
    def for_issuer(cls, issuer: TokenIssuer) -> "TokenVerifier":
        public = issuer.key.public_key()

        def key_for(kid: str) -> Ed25519PublicKey:
            if kid != issuer.jwk["kid"]:
                raise Unauthorized("the token was signed by an unknown key", code="invalid_token")
            return public

        return cls(key_for, issuer=issuer.issuer, audience=issuer.audience)

    @classmethod
    def from_jwks_url(cls, url: str, *, issuer: str, audience: str) -> "TokenVerifier":
        client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300)

        def key_for(kid: str) -> Any:
            try:
                return client.get_signing_key(kid).key
            except jwt.PyJWKClientError as exc:
                raise Unauthorized(
                    "the token was signed by an unknown key", code="invalid_token"
                ) from exc

        return cls(key_for, issuer=issuer, audience=audience)

    @classmethod
    def of_registry(cls, settings: SharedSettings) -> "TokenVerifier":
        """How every service but the registry verifies tokens: with the registry's JWKS."""
        return cls.from_jwks_url(
            f"{settings.registry_url}/.well-known/jwks.json",
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = self.key_for(str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the access token has expired", code="token_expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"invalid access token: {exc}", code="invalid_token") from exc
        return Principal(
            subject=str(claims["sub"]),
            organisation_id=str(claims.get("org", "")),
            roles=frozenset(claims.get("roles", [])),
            kind=str(claims.get("kind", "user")),
            token_id=str(claims.get("jti", "")),
            zone=str(claims.get("zoneinfo", DEFAULT_ZONE)),
        )
