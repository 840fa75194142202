"""The registry on a real PostgreSQL schema, driven over HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.models import Base
from services.registry.reference import models as reference_models  # noqa: F401 the tables
from services.registry.reference.defaults import load_defaults
from services.registry.runtime import Registry
from shared.local_time import DEFAULT_ZONE

PASSWORD = "a long enough password"


@pytest.fixture
def defaults(registry: Registry, reference_data_dir: Path) -> Iterator[tuple[int, int]]:
    """The default districts and categories, loaded for one test (the ``registry`` fixture
    empties every table afterwards)."""
    with registry.database.session() as session:
        loaded = load_defaults(session, reference_data_dir)
    yield loaded


REFERENCE_TABLES = [
    Base.metadata.tables[f"registry.{name}"]
    for name in ("districts", "district_neighbours", "categories")
]

_REFERENCE_ROWS: dict[str, list[dict[str, Any]]] = {}


@pytest.fixture
def reference_data(registry: Registry, reference_data_dir: Path) -> Iterator[None]:
    """The default districts (Helsinki postal areas) and categories (PTV classes): loaded
    from the files once, then copied back in for each test (the ``registry`` fixture
    empties every table after a test)."""
    with registry.database.session() as session:
        if not _REFERENCE_ROWS:
            load_defaults(session, reference_data_dir)
            session.flush()
            for table in REFERENCE_TABLES:
                rows = session.execute(select(table)).mappings().all()
                _REFERENCE_ROWS[table.name] = [dict(r) for r in rows]
        else:
            for table in REFERENCE_TABLES:
                session.execute(insert(table), _REFERENCE_ROWS[table.name])
    yield


@pytest.fixture
def client(registry_app: TestClient, registry: Registry) -> TestClient:
    return registry_app


@dataclass
class Member:
    organisation_id: str
    user_id: str
    email: str
    headers: dict[str, str]


class World:
    """Builds organisations and logged-in members for a test."""

    def __init__(self, client: TestClient, registry: Registry) -> None:
        self.client = client
        self.registry = registry
        self.count = 0

    def organisation(
        self,
        name: str = "Org",
        kind: OrganisationKind = OrganisationKind.support_provider,
        timezone: str = DEFAULT_ZONE,
    ) -> str:
        with self.registry.database.session() as session:
            return identity.create_organisation(
                session, OrganisationIn(name=name, kind=kind, timezone=timezone), "test"
            ).id

    def member(self, organisation_id: str, *roles: str, name: str = "Member") -> Member:
        self.count += 1
        email = f"member{self.count}@example.org"
        with self.registry.database.session() as session:
            user = identity.create_user(
                session,
                self.registry,
                organisation_id,
                UserIn(email=email, display_name=name, password=PASSWORD, roles=list(roles)),
                "test",
            )
        return Member(organisation_id, user.id, email, self.login(email))

    def login(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def world(client: TestClient, registry: Registry) -> World:
    return World(client, registry)


def consents(*purposes: str, scope: str | None = None) -> list[dict[str, object]]:
    """Consent entries as a staff member records them on a card."""
    entries: list[dict[str, object]] = []
    for purpose in purposes:
        entry: dict[str, object] = {
            "purpose": purpose,
            "method": "written",
            "information_version": "v1",
        }
        if scope and ":" in purpose:
            entry["scope"] = scope
        entries.append(entry)
    return entries


def organisation_card(name: str, **extra: object) -> dict[str, object]:
    card: dict[str, object] = {
        "name": name,
        "contact": {"email": f"{name.split()[0].lower()}@example.org", "phone": "040 1234567"},
        "offers": [
            {"title": "Kokkikerho", "description": "Cooking together", "schedule": "Tuesdays 17-19"}
        ],
        "resources_available": ["kitchen"],
        "notes": "internal note",
    }
    card.update(extra)
    return card


def citizen_card(name: str, **extra: object) -> dict[str, object]:
    card: dict[str, object] = {
        "name": name,
        "contact": {"email": "person@example.org"},
        "birthday": "1980-05-17",
        "skills": ["baking", "knitting"],
        "availability": [{"weekday": 2, "start": "17:00", "end": "19:00"}],
        "notes": "private",
    }
    card.update(extra)
    return card


def add_partner(
    client: TestClient,
    member: Member,
    card: dict[str, object],
    *purposes: str,
    kind: str = "organisation",
    scope: str | None = None,
    **fields: object,
) -> dict[str, object]:
    body = {"kind": kind, "card": card, "consents": consents(*purposes, scope=scope), **fields}
    response = client.post("/partners", headers=member.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created
