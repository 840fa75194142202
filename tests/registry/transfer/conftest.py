"""Imports and exports over HTTP on the registry's real PostgreSQL schema, with the default
districts and categories loaded from ../shared/data."""

import json
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from services.registry.access.models import AccessEntry
from services.registry.consent.models import ConsentRecord
from services.registry.models import outbox
from services.registry.partners.models import Partner
from services.registry.runtime import Registry
from tests.registry.conftest import Member, World


@dataclass(frozen=True)
class Counts:
    partners: int
    consent_records: int
    outbox: int
    access_entries: int


def counts(registry: Registry) -> Counts:
    with registry.database.session() as session:
        return Counts(
            partners=session.scalar(select(func.count()).select_from(Partner)) or 0,
            consent_records=session.scalar(select(func.count()).select_from(ConsentRecord)) or 0,
            outbox=session.scalar(select(func.count()).select_from(outbox)) or 0,
            access_entries=session.scalar(select(func.count()).select_from(AccessEntry)) or 0,
        )


class ConsentBatch(TypedDict):
    consent_method: str
    consent_information_version: str


CONSENT_BATCH = ConsentBatch(consent_method="written", consent_information_version="v2")


def upload(
    client: TestClient,
    member: Member,
    content: bytes,
    filename: str = "kumppanit.csv",
    *,
    dry_run: bool = True,
    path: str = "/imports/partners",
    mapping: dict[str, str | None] | str | None = None,
    **fields: str,
) -> Response:
    data = dict(fields)
    if mapping is not None:
        data["mapping"] = mapping if isinstance(mapping, str) else json.dumps(mapping)
    return client.post(
        f"{path}?dry_run={'true' if dry_run else 'false'}",
        headers=member.headers,
        files={"file": (filename, content, "application/octet-stream")},
        data=data,
    )


def report_of(response: Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    report: dict[str, Any] = body.get("report", body)
    return report


def rows_by_number(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["row"]: row for row in report["rows"]}


def errors_of(row: dict[str, Any]) -> dict[str, str]:
    """field -> code of a row's errors."""
    return {e["field"]: e["code"] for e in row["errors"]}


def access_entries(registry: Registry, owner: str) -> list[AccessEntry]:
    with registry.database.session() as session:
        return list(
            session.scalars(
                select(AccessEntry)
                .where(AccessEntry.owner_organisation_id == owner)
                .order_by(AccessEntry.seq)
            )
        )


@dataclass
class Staff:
    """A staff member and their admin in one organisation."""

    staff: Member
    admin: Member


@pytest.fixture
def org(world: World) -> Staff:
    organisation = world.organisation("Kallion Tuki ry")
    return Staff(world.member(organisation, "staff"), world.member(organisation, "admin"))


def create_partner(
    client: TestClient,
    member: Member,
    card: dict[str, Any],
    *purposes: str,
    kind: str = "organisation",
    scope: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    entries = [
        {"purpose": p, "method": "written", "information_version": "v1"}
        | ({"scope": scope} if scope and ":" in p else {})
        for p in purposes
    ]
    response = client.post(
        "/partners",
        headers=member.headers,
        json={"kind": kind, "card": card, "consents": entries, **fields},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def shared_pool(client: TestClient, a: Member, b: Member) -> str:
    """A sharing pool that the admins ``a`` and ``b`` are both active in."""
    pool = client.post("/pools", headers=a.headers, json={"name": "Kallion verkosto"}).json()
    invited = client.post(
        f"/pools/{pool['id']}/invitations",
        headers=a.headers,
        json={"organisation_id": b.organisation_id},
    )
    assert invited.status_code == 201, invited.text
    assert client.post(f"/pools/{pool['id']}/accept", headers=b.headers).status_code == 200
    pool_id: str = pool["id"]
    return pool_id
