"""Login, refresh-token rotation, logout, API tokens and token verification."""

import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.registry.identity.models import ApiToken
from services.registry.runtime import Registry
from shared.auth import Principal, TokenIssuer, TokenVerifier
from tests.registry.conftest import PASSWORD, World


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: TestClient, world: World
) -> None:
    anna = world.member(world.organisation(), "staff")
    wrong = client.post("/auth/login", json={"email": anna.email, "password": "not it at all"})
    unknown = client.post("/auth/login", json={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_login_input_errors_name_the_field(client: TestClient) -> None:
    response = client.post("/auth/login", json={"email": "no-at-sign", "password": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "email"
    missing = client.post("/auth/login", json={"email": "a@example.org"})
    assert missing.json()["error"]["field"] == "password"


def test_refresh_rotates_and_a_reused_token_ends_every_session(
    client: TestClient, world: World
) -> None:
    anna = world.member(world.organisation(), "staff")
    first = login(client, anna.email)
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert client.get("/me", headers=bearer(second.json()["access_token"])).status_code == 200
    reused = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"
    # the thief's replay also ended the legitimate chain
    assert (
        client.post(
            "/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
        ).status_code
        == 401
    )


def test_logout_ends_the_refresh_token(client: TestClient, world: World) -> None:
    anna = world.member(world.organisation(), "staff")
    tokens = login(client, anna.email)
    assert (
        client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 204
    )
    assert (
        client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 401
    )


def test_tokens_are_refused_when_expired_foreign_or_for_another_audience(
    client: TestClient, world: World, registry: Registry
) -> None:
    anna = world.member(world.organisation(), "staff")
    me = Principal(anna.user_id, anna.organisation_id, frozenset({"staff"}))
    issuer = registry.issuer
    expired = issuer.issue(me, now=time.time() - issuer.ttl_seconds - 5)
    forged = TokenIssuer(
        Ed25519PrivateKey.generate(), issuer=issuer.issuer, audience=issuer.audience, ttl_seconds=60
    ).issue(me)
    other_audience = TokenIssuer(
        registry.issuer.key, issuer=issuer.issuer, audience="someone-else", ttl_seconds=60
    ).issue(me)
    answers = {
        "expired": client.get("/me", headers=bearer(expired)),
        "forged": client.get("/me", headers=bearer(forged)),
        "audience": client.get("/me", headers=bearer(other_audience)),
        "garbage": client.get("/me", headers=bearer("not.a.token")),
        "missing": client.get("/me"),
    }
    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 401)
    assert answers["expired"].json()["error"]["code"] == "token_expired"
    assert answers["forged"].json()["error"]["code"] == "invalid_token"
    assert client.get("/me", headers=bearer(issuer.issue(me))).status_code == 200


def test_jwks_publishes_the_verifying_key(client: TestClient, registry: Registry) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys == [registry.issuer.jwk]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and "d" not in keys[0]


def test_an_integration_token_is_shown_once_stored_hashed_and_revocable(
    client: TestClient, world: World, registry: Registry
) -> None:
    admin = world.member(world.organisation(), "admin")
    created = client.post(
        "/api-tokens", headers=admin.headers, json={"name": "CRM sync", "roles": ["staff"]}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert "token" not in client.get("/api-tokens", headers=admin.headers).json()[0]
    with registry.database.session() as session:
        stored = session.execute(select(ApiToken.token_hash)).scalar_one()
    assert secret not in stored
    exchanged = client.post("/auth/token", json={"api_token": secret})
    assert exchanged.status_code == 200
    access = bearer(exchanged.json()["access_token"])
    assert client.get("/organisations", headers=access).status_code == 200
    assert client.get("/me", headers=access).status_code == 403  # no user behind it
    assert (
        client.post(
            "/api-tokens", headers=access, json={"name": "x", "roles": ["staff"]}
        ).status_code
        == 403
    )
    token_id = created.json()["id"]
    assert client.delete(f"/api-tokens/{token_id}", headers=admin.headers).status_code == 204
    assert client.post("/auth/token", json={"api_token": secret}).status_code == 401


def test_an_integration_cannot_be_made_admin(client: TestClient, world: World) -> None:
    admin = world.member(world.organisation(), "admin")
    response = client.post(
        "/api-tokens", headers=admin.headers, json={"name": "x", "roles": ["admin"]}
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "roles"


def test_a_user_in_two_organisations_chooses_which_to_act_for(
    client: TestClient, world: World, registry: Registry
) -> None:
    first = world.organisation("First")
    second = world.organisation("Second")
    anna = world.member(first, "staff")
    admin = world.member(second, "admin")
    # an existing login cannot be re-created through another organisation
    taken = client.post(
        "/users",
        headers=admin.headers,
        json={
            "email": anna.email,
            "display_name": "Anna",
            "password": PASSWORD,
            "roles": ["staff"],
        },
    )
    assert taken.status_code == 409
    refused = client.post(
        "/auth/login", json={"email": anna.email, "password": PASSWORD, "organisation_id": second}
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "no_membership"


def test_tokens_carry_the_organisations_time_zone(
    client: TestClient, world: World, registry: Registry
) -> None:
    """Every service reads "today" from the token's ``zoneinfo``, so it must be the zone of the
    organisation the token acts for, for users and integrations alike."""
    organisation_id = world.organisation("Tukholma", timezone="Europe/Stockholm")
    admin = world.member(organisation_id, "admin")
    signed_in = TokenVerifier.for_issuer(registry.issuer).verify(
        login(client, admin.email)["access_token"]
    )
    assert signed_in.zone == "Europe/Stockholm"
    created = client.post(
        "/api-tokens", headers=admin.headers, json={"name": "CRM sync", "roles": ["staff"]}
    )
    exchanged = client.post("/auth/token", json={"api_token": created.json()["token"]})
    assert (
        TokenVerifier.for_issuer(registry.issuer).verify(exchanged.json()["access_token"]).zone
        == "Europe/Stockholm"
    )
    elsewhere = world.member(world.organisation("Helsinki"), "staff")
    assert TokenVerifier.for_issuer(registry.issuer).verify(
        login(client, elsewhere.email)["access_token"]
    ).zone == ("Europe/Helsinki")
