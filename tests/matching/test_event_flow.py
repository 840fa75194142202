"""The resource index follows the registry through the real event flow: the registry's API
on PostgreSQL, its outbox relayed by beat to a Celery worker on Redis, the worker applying
events to matching — and matching's referral steps coming back as activities on the
partner in the registry."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.matching.index.models import IndexedPartner, IndexTombstone
from services.matching.runtime import Matching
from services.registry.activities.models import Activity
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.runtime import Registry
from shared.auth import Principal
from tests.live import wait_until
from tests.matching.conftest import Org

pytestmark = pytest.mark.slow


def consent(*purposes: str) -> list[dict[str, Any]]:
    return [{"purpose": p, "method": "written", "information_version": "v1"} for p in purposes]


def indexed(matching: Matching, partner_id: str) -> IndexedPartner | None:
    with matching.database.session() as session:
        return session.get(IndexedPartner, partner_id)


def test_the_index_follows_create_update_withdrawal_and_erasure(
    worker: Path,
    matching: Matching,
    registry: Registry,
    registry_app: TestClient,
    matching_app: TestClient,
) -> None:
    with registry.database.session() as session:
        org_id = identity.create_organisation(
            session,
            OrganisationIn(name="Kotipolku", kind=OrganisationKind.support_provider),
            "test",
        ).id
        user = identity.create_user(
            session,
            registry,
            org_id,
            UserIn(
                email=f"{uuid.uuid4().hex[:8]}@example.org",
                display_name="Staff",
                password="x" * 12,
                roles=["admin", "staff"],
            ),
            "test",
        )
    token = registry.issuer.issue(Principal(user.id, org_id, frozenset({"admin", "staff"})))
    staff = {"Authorization": f"Bearer {token}"}
    card = {
        "name": "Kallion Kokit ry",
        "offers": [{"title": "Kokkikerho", "description": "ruoanlaittoa"}],
    }
    created = registry_app.post(
        "/partners",
        json={
            "kind": "organisation",
            "card": card,
            "consents": consent("file", "team", "matching"),
        },
        headers=staff,
    )
    assert created.status_code == 201, created.text
    partner_id = created.json()["id"]
    wait_until(
        lambda: indexed(matching, partner_id) is not None, 30, "the new partner in the index"
    )

    # Found by its words through matching's API, then changed in the registry.
    org = Org(matching_app, registry.issuer, org_id)
    person = matching_app.post(
        "/support-users", json={"name": "Maija", "district_code": "00530"}, headers=org.staff
    ).json()
    matching_app.post(
        f"/support-users/{person['id']}/consents",
        json={"purpose": "matching", "action": "granted", "method": "written"},
        headers=org.staff,
    )
    wish_id = matching_app.post(
        f"/support-users/{person['id']}/wishes",
        json={"text": "haluan soittaa kitaraa"},
        headers=org.staff,
    ).json()["id"]

    def found() -> list[str]:
        items = matching_app.get(f"/wishes/{wish_id}/suggestions", headers=org.staff).json()[
            "items"
        ]
        return [i["partner_id"] for i in items]

    assert found() == []
    card["offers"].append({"title": "Kitarakerho", "description": "soitetaan kitaraa yhdessä"})
    assert (
        registry_app.patch(
            f"/partners/{partner_id}", json={"card": card}, headers=staff
        ).status_code
        == 200
    )
    wait_until(lambda: found() == [partner_id], 30, "the changed card found by its new words")

    # A referral step comes back to the registry as an activity on the partner.
    resource = matching_app.get(f"/wishes/{wish_id}/suggestions", headers=org.staff).json()[
        "items"
    ][0]
    referral = matching_app.post(
        "/referrals",
        json={"wish_id": wish_id, "resource_id": resource["resource_id"]},
        headers=org.staff,
    )
    assert referral.status_code == 201, referral.text

    def activities() -> list[str]:
        with registry.database.session() as session:
            return list(
                session.scalars(select(Activity.kind).where(Activity.partner_id == partner_id))
            )

    wait_until(lambda: activities() == ["contact"], 30, "the referral logged on the partner")

    withdrawn = registry_app.post(
        f"/partners/{partner_id}/consents/withdraw",
        json={"purposes": ["matching"], "method": "written"},
        headers=staff,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    wait_until(lambda: indexed(matching, partner_id) is None, 30, "the partner out of the index")
    assert found() == []

    registry_app.post(f"/partners/{partner_id}/consents", json=consent("matching"), headers=staff)
    wait_until(
        lambda: indexed(matching, partner_id) is not None, 30, "the partner back after consent"
    )
    assert registry_app.delete(f"/partners/{partner_id}", headers=staff).status_code == 204

    def forgotten() -> bool:
        with matching.database.session() as session:
            tombstone = session.get(IndexTombstone, partner_id)
            return tombstone is not None and tombstone.forgotten

    wait_until(forgotten, 30, "the erased partner forgotten by matching")
    assert indexed(matching, partner_id) is None
