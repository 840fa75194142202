"""Routes for sessions, the public signing keys and API tokens."""

from fastapi import APIRouter, Response

from services.registry.auth import service
from services.registry.auth.schemas import ApiTokenExchangeIn, LoginIn, RefreshIn, TokenPair
from services.registry.identity.schemas import ApiTokenCreated, ApiTokenIn, ApiTokenOut
from services.registry.runtime import RegistryDep
from shared.auth.deps import AdminDep
from shared.deps import SessionDep

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=TokenPair, summary="Log in with e-mail and password")
def login(body: LoginIn, session: SessionDep, registry: RegistryDep) -> TokenPair:
    return service.login(session, registry, body.email, body.password, body.organisation_id)


@router.post(
    "/auth/refresh", response_model=TokenPair, summary="Swap a refresh token for new tokens"
)
def refresh(body: RefreshIn, session: SessionDep, registry: RegistryDep) -> TokenPair:
    return service.refresh(session, registry, body.refresh_token)


@router.post("/auth/logout", status_code=204, summary="End the session of a refresh token")
def logout(body: RefreshIn, session: SessionDep) -> Response:
    service.logout(session, body.refresh_token)
    return Response(status_code=204)


@router.post(
    "/auth/token", response_model=TokenPair, summary="Exchange an API token for an access token"
)
def exchange(body: ApiTokenExchangeIn, session: SessionDep, registry: RegistryDep) -> TokenPair:
    return service.exchange_api_token(session, registry, body.api_token)


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
def jwks(registry: RegistryDep) -> dict[str, object]:
    return registry.issuer.jwks()


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=201, tags=["admin"])
def create_api_token(body: ApiTokenIn, session: SessionDep, admin: AdminDep) -> ApiTokenCreated:
    token, secret = service.create_api_token(session, admin, body)
    return ApiTokenCreated(**ApiTokenOut.model_validate(token).model_dump(), token=secret)


@router.get("/api-tokens", response_model=list[ApiTokenOut], tags=["admin"])
def list_api_tokens(session: SessionDep, admin: AdminDep) -> list[ApiTokenOut]:
    return [
        ApiTokenOut.model_validate(t)
        for t in service.list_api_tokens(session, admin.organisation_id)
    ]


@router.delete("/api-tokens/{token_id}", status_code=204, tags=["admin"])
def revoke_api_token(token_id: str, session: SessionDep, admin: AdminDep) -> Response:
    service.revoke_api_token(session, admin, token_id)
    return Response(status_code=204)
