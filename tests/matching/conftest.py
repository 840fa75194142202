"""Matching against the session's real PostgreSQL: the app, a clean schema per test, the
default reference data as the registry publishes it, and helpers that write partners into
the index the way registry events do."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.matching.app import create_app
from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
from services.matching.tasks import apply
from services.registry.reference.defaults import load_defaults
from services.registry.reference.events import reference_payload
from services.registry.runtime import Registry
from shared import migrations
from shared.auth import Principal
from shared.crypto import seal_for
from shared.database import utcnow
from tests.conftest import empty_schema, reference_mirror
from tests.live import serve


@pytest.fixture(scope="session")
def registry_url(registry_app: TestClient) -> Iterator[str]:
    """The registry served for real: matching fetches its signing keys over HTTP."""
    with serve(registry_app.app) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture(scope="session")
def matching_settings(
    database_urls: dict[str, str], registry_app: TestClient, registry_url: str
) -> MatchingSettings:
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    return MatchingSettings(
        database_url=database_urls["matching"],
        data_dir=registry.settings.data_dir,
        environment="test",
        registry_url=registry_url,
        statistics_seconds=0,  # each test counts its own index afresh
        # The real vocabularies where they are at hand; the tests that rank by them ask for
        # them through `matching` (whose reference message needs the real data).
        reference_data_dir=reference_mirror(),
    )


@pytest.fixture(scope="session")
def matching_app(matching_settings: MatchingSettings) -> TestClient:
    app = create_app(matching_settings)
    migrations.upgrade("matching", app.state.matching.database)
    return TestClient(app)


@pytest.fixture(scope="session")
def reference_message(registry_app: TestClient, reference_data_dir: Path) -> dict[str, Any]:
    """`reference.changed` for the defaults, built by the registry from the real files in a
    transaction that is rolled back, so the registry's tables stay as they were."""
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    with registry.database.sessions() as session:
        load_defaults(session, reference_data_dir)
        payload = reference_payload(session, None)
        session.rollback()
    return {
        "id": str(uuid.uuid4()),
        "source": "registry",
        "type": "reference.changed",
        "payload": payload,
    }


@pytest.fixture
def matching(matching_app: TestClient, reference_message: dict[str, Any]) -> Iterator[Matching]:
    runtime: Matching = matching_app.app.state.matching  # type: ignore[attr-defined]
    # Emptied before too: the portal's stack shares the session's database.
    empty_schema(runtime.database, "matching")
    apply(runtime, {**reference_message, "id": str(uuid.uuid4())})
    yield runtime
    empty_schema(runtime.database, "matching")


@dataclass
class Org:
    """An organisation as matching sees it: an id, and tokens for its people."""

    client: TestClient
    issuer: Any
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def headers(self, *roles: str, user: str | None = None) -> dict[str, str]:
        principal = Principal(user or f"{roles[0]}-of-{self.id[:8]}", self.id, frozenset(roles))
        return {"Authorization": f"Bearer {self.issuer.issue(principal)}"}

    @property
    def staff(self) -> dict[str, str]:
        return self.headers("staff")


@pytest.fixture
def orgs(matching: Matching, matching_app: TestClient, registry_app: TestClient) -> list[Org]:
    issuer = registry_app.app.state.registry.issuer  # type: ignore[attr-defined]
    return [Org(matching_app, issuer) for _ in range(3)]


def partner_message(
    matching: Matching,
    organisation_id: str,
    document: dict[str, Any],
    *,
    partner_id: str | None = None,
    kind: str = "organisation",
    district: str | None = "00530",
    categories: tuple[str, ...] = (),
    tie: str = "weak",
    last_contact_on: str | None = None,
    purposes: tuple[str, ...] = ("file", "team", "matching"),
    matching_consent: bool = True,
    changed_at: str | None = None,
) -> dict[str, Any]:
    """`partner.upserted` shaped as the registry publishes it, card fields sealed."""
    partner_id = partner_id or str(uuid.uuid4())
    payload: dict[str, Any] = {
        "changed_at": changed_at or utcnow().isoformat(timespec="microseconds"),
        "rebuild_generation": 0,
        "partner_id": partner_id,
        "organisation_id": organisation_id,
        "kind": kind,
        "status": "active",
        "district_code": district,
        "category_codes": list(categories),
        "tie_strength": tie,
        "last_contact_on": last_contact_on,
        "purposes": sorted(purposes),
        "matching": matching_consent,
    }
    if matching_consent:
        payload["sealed"] = seal_for(matching.keyring.provider, "matching", partner_id, document)
    return {
        "id": str(uuid.uuid4()),
        "source": "registry",
        "type": "partner.upserted",
        "payload": payload,
    }


def index_partner(
    matching: Matching, organisation_id: str, document: dict[str, Any], **kw: Any
) -> str:
    message = partner_message(matching, organisation_id, document, **kw)
    assert apply(matching, message)
    return str(message["payload"]["partner_id"])


def club(
    title: str, description: str = "", schedule: str = "", facilities: str = ""
) -> dict[str, Any]:
    """An organisation card with one offer."""
    return {
        "name": f"{title} ry",
        "facilities": facilities,
        "offers": [{"title": title, "description": description, "schedule": schedule}],
    }
