"""Matching and reminders verify registry tokens locally, with the keys the registry
publishes at /.well-known/jwks.json."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from services.matching.app import create_app as create_matching
from services.matching.settings import MatchingSettings
from services.registry.runtime import Registry
from services.reminders.app import create_app as create_reminders
from services.reminders.settings import RemindersSettings
from shared.auth import Principal, TokenIssuer


@pytest.fixture(scope="module", params=["matching", "reminders"])
def service(
    request: pytest.FixtureRequest,
    registry_url: str,
    database_urls: dict[str, str],
    redis_url: str,
) -> TestClient:
    common = {
        "registry_url": registry_url,
        "database_url": database_urls[request.param],
        "environment": "test",
    }
    if request.param == "matching":
        return TestClient(create_matching(MatchingSettings(**common)))
    return TestClient(create_reminders(RemindersSettings(**common, broker_url=redis_url)))


def test_a_registry_token_is_accepted_and_read_the_same(
    service: TestClient, registry_app: TestClient
) -> None:
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    token = registry.issuer.issue(Principal("user-1", "org-1", frozenset({"staff", "coordinator"})))
    response = service.get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {
        "subject": "user-1",
        "organisation_id": "org-1",
        "roles": ["coordinator", "staff"],
        "kind": "user",
    }


def test_a_token_signed_by_anyone_else_is_refused(
    service: TestClient, registry_app: TestClient
) -> None:
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    impostor = TokenIssuer(
        Ed25519PrivateKey.generate(),
        issuer=registry.issuer.issuer,
        audience=registry.issuer.audience,
        ttl_seconds=60,
    )
    token = impostor.issue(Principal("user-1", "org-1", frozenset({"admin"})))
    response = service.get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert service.get("/whoami").status_code == 401


def test_health_checks_the_database_and_for_reminders_the_broker(service: TestClient) -> None:
    body = service.get("/healthz").json()
    assert body["status"] == "ok"
    expected = {"database", "broker"} if body["service"] == "reminders" else {"database"}
    assert set(body["checks"]) == expected


def test_reminders_health_fails_when_the_broker_is_unreachable(
    database_urls: dict[str, str],
) -> None:
    settings = RemindersSettings(
        database_url=database_urls["reminders"],
        environment="test",
        broker_url="redis://127.0.0.1:1/0",
    )
    response = TestClient(create_reminders(settings)).get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("failing")
