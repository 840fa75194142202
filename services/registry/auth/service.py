"""Sessions: password login, refresh-token rotation, logout, and API tokens for
integrations (exchanged for short-lived access tokens). Secrets are stored hashed."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.registry.audit import service as audit
from services.registry.auth.schemas import TokenPair
from services.registry.identity import service as identity
from services.registry.identity.models import ApiToken, Membership, RefreshToken, User
from services.registry.identity.schemas import ApiTokenIn
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.errors import NotFound, Unauthorized

API_TOKEN_PREFIX = "kt_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(session: Session, registry: Registry, user_id: str, membership: Membership) -> TokenPair:
    principal = Principal(
        user_id,
        membership.organisation_id,
        frozenset(membership.roles),
        zone=identity.get_organisation(session, membership.organisation_id).timezone,
    )
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(refresh),
            user_id=user_id,
            organisation_id=membership.organisation_id,
            expires_at=datetime.now(UTC) + timedelta(days=registry.settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=registry.issuer.issue(principal),
        refresh_token=refresh,
        expires_in=registry.issuer.ttl_seconds,
    )


def login(
    session: Session, registry: Registry, email: str, password: str, organisation_id: str | None
) -> TokenPair:
    user = identity.find_user_by_email(session, registry.keyring, email)
    if user is None:
        registry.passwords.spend_time(password)
        raise Unauthorized("wrong e-mail or password", code="invalid_credentials")
    if user.disabled_at is not None or not registry.passwords.verify(user, password):
        raise Unauthorized("wrong e-mail or password", code="invalid_credentials")
    memberships = identity.memberships_of(session, user.id)
    chosen = [m for m, _ in memberships if organisation_id in (None, m.organisation_id)]
    if not chosen:
        raise Unauthorized("you are not a member of that organisation", code="no_membership")
    return _issue(session, registry, user.id, chosen[0])


def refresh(session: Session, registry: Registry, token: str) -> TokenPair:
    stored = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(token)))
    if stored is None or stored.expires_at <= datetime.now(UTC):
        raise Unauthorized("the refresh token is not valid", code="invalid_refresh_token")
    if stored.revoked_at is not None:
        # A rotated token coming back means it leaked: end every session of that user.
        _revoke_all(session, stored.user_id)
        session.commit()  # the revocation must outlive the error answer's rollback
        raise Unauthorized("the refresh token was already used", code="refresh_token_reused")
    stored.revoked_at = datetime.now(UTC)
    found = session.scalar(
        select(Membership).where(
            Membership.user_id == stored.user_id,
            Membership.organisation_id == stored.organisation_id,
        )
    )
    user = session.get(User, stored.user_id)
    if found is None or user is None or user.disabled_at is not None:
        raise Unauthorized("the membership has ended", code="no_membership")
    return _issue(session, registry, stored.user_id, found)


def _revoke_all(session: Session, user_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def logout(session: Session, token: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == _digest(token), RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def create_api_token(
    session: Session, principal: Principal, data: ApiTokenIn
) -> tuple[ApiToken, str]:
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=principal.organisation_id,
        name=data.name,
        token_hash=_digest(secret),
        roles=data.roles,
        created_by=principal.subject,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        principal,
        principal.organisation_id,
        "api_token.created",
        "api_token",
        token.id,
        roles=data.roles,
    )
    return token, secret


def list_api_tokens(session: Session, organisation_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation_id)
            .order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(session: Session, principal: Principal, token_id: str) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.organisation_id != principal.organisation_id:
        raise NotFound("no such API token")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        audit.record(
            session,
            principal,
            principal.organisation_id,
            "api_token.revoked",
            "api_token",
            token_id,
        )


def exchange_api_token(session: Session, registry: Registry, secret: str) -> TokenPair:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the API token is not valid", code="invalid_api_token")
    token.last_used_at = datetime.now(UTC)
    principal = Principal(
        token.id,
        token.organisation_id,
        frozenset(token.roles),
        kind="integration",
        zone=identity.get_organisation(session, token.organisation_id).timezone,
    )
    return TokenPair(
        access_token=registry.issuer.issue(principal), expires_in=registry.issuer.ttl_seconds
    )
