"""A planning world on the portal stack: a municipality with its planner (and admin), a
support organisation whose admin shares statistics with it, partners consenting to
statistics added through the registry's API, wishes added through matching's API and
brought to the registry as matching's `wish.changed` would, and two monthly snapshots."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from services.matching.models import outbox as matching_outbox
from services.matching.tasks import apply as apply_to_matching
from services.registry.planning import snapshots
from services.registry.reference.events import reference_payload
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.registry.tasks import apply as apply_to_registry
from shared.database import Database
from tests.portal.conftest import ANNA_PASSWORD, PortalStack

# Real Helsinki postal areas (00100 Helsinki keskusta, 00120 Punavuori, 00130
# Kaartinkaupunki, 00170 Kruununhaka) and the category "cooking" under "housing".
KESKUSTA, PUNAVUORI, KAARTINKAUPUNKI, KRUUNUNHAKA = "00100", "00120", "00130", "00170"
COOKING = "P1.1"
# Supply per district (all in COOKING) at the first snapshot; KESKUSTA gains two more
# before the second. PUNAVUORI's 2 is below k and suppressed.
SUPPLY = {KESKUSTA: 8, KAARTINKAUPUNKI: 9, KRUUNUNHAKA: 7, PUNAVUORI: 2}
LATER_IN_KESKUSTA = 2
WISHES_IN_KESKUSTA = 30
SEPTEMBER = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)


@dataclass
class PlanningWorld:
    municipality_id: str
    municipality_name: str
    planner_email: str
    municipality_admin_email: str
    sharer_id: str
    sharer_name: str
    sharer_admin_email: str


def _email(who: str) -> str:
    return f"{who}-{secrets.token_hex(4)}@example.org"


def _partner(stack: PortalStack, email: str, district: str, number: int) -> None:
    consents = [
        {"purpose": purpose, "method": "written", "information_version": "1"}
        for purpose in ("file", "team", "statistics")
    ]
    response = httpx.post(
        f"{stack.registry_url}/partners",
        headers=stack.api_token(email),
        json={
            "kind": "organisation",
            "card": {"name": f"Kokkikerho {district} {number} {secrets.token_hex(2)}"},
            "district_code": district,
            "category_codes": [COOKING],
            "consents": consents,
        },
    )
    assert response.status_code == 201, response.text


def _matching_reference(stack: PortalStack, registry: Registry) -> None:
    """Matching learns the districts and categories, as `reference.changed` would."""
    assert stack.matching_runtime is not None
    with registry.database.session() as session:
        payload = reference_payload(session, None)
    message = {
        "id": str(uuid.uuid4()),
        "source": "registry",
        "type": "reference.changed",
        "payload": payload,
    }
    apply_to_matching(stack.matching_runtime, message)


def _wishes(stack: PortalStack, email: str, district: str, count: int) -> None:
    """Access tokens live seconds in the stack: each call logs in anew."""
    person = httpx.post(
        f"{stack.matching_url}/support-users",
        headers=stack.api_token(email),
        json={
            "name": f"Tuettava {secrets.token_hex(2)}",
            "district_code": district,
            "languages": ["fi"],
        },
    )
    assert person.status_code == 201, person.text
    person_id = person.json()["id"]
    for number in range(count):
        wish = httpx.post(
            f"{stack.matching_url}/support-users/{person_id}/wishes",
            headers=stack.api_token(email),
            json={
                "text": f"Haluan oppia kokkaamaan {number}",
                "language": "fi",
                "category_codes": [COOKING],
            },
        )
        assert wish.status_code == 201, wish.text


def _wishes_to_registry(registry: Registry, matching_url: str, organisation_id: str) -> int:
    """Matching's `wish.changed` events of the organisation applied to the registry, as the
    worker's relay and the registry's consumer would; returns how many were new."""
    matching = Database(matching_url, "matching")
    try:
        with matching.session() as session:
            rows = session.execute(
                select(matching_outbox.c.id, matching_outbox.c.type, matching_outbox.c.payload)
                .where(matching_outbox.c.type == "wish.changed")
                .order_by(matching_outbox.c.created_at)
            ).all()
    finally:
        matching.dispose()
    applied = 0
    for row in rows:
        if row.payload.get("organisation_id") == organisation_id:
            message = {"id": row.id, "source": "matching", "type": row.type, "payload": row.payload}
            applied += apply_to_registry(registry, message)
    return applied


def _snapshot(registry: Registry, municipality_id: str, moment: datetime) -> None:
    with registry.database.session() as session:
        assert snapshots.take(session, municipality_id, moment)


def build(stack: PortalStack, settings: RegistrySettings, matching_url: str) -> PlanningWorld:
    municipality_name = f"Testikaupunki {secrets.token_hex(3)}"
    municipality_id = stack.create_org(municipality_name, "municipality")
    planner_email = _email("planner")
    stack.create_user(planner_email, municipality_id, ["planner"], "Paula Planner", ANNA_PASSWORD)
    municipality_admin = _email("city-admin")
    stack.create_user(
        municipality_admin, municipality_id, ["admin"], "Kaisa Kaupunki", ANNA_PASSWORD
    )
    sharer_name = f"Kotipolku ry {secrets.token_hex(3)}"
    sharer_id = stack.create_org(sharer_name)
    sharer_admin = _email("sharer-admin")
    stack.create_user(sharer_admin, sharer_id, ["admin", "staff"], "Saara Sharer", ANNA_PASSWORD)
    shared = httpx.put(
        f"{stack.registry_url}/planning/shares/{municipality_id}",
        headers=stack.api_token(sharer_admin),
    )
    assert shared.status_code == 200, shared.text

    registry = Registry.build(settings)
    try:
        _matching_reference(stack, registry)
        for district, count in SUPPLY.items():
            for number in range(count):
                _partner(stack, sharer_admin, district, number)
        _wishes(stack, sharer_admin, KESKUSTA, WISHES_IN_KESKUSTA)
        assert _wishes_to_registry(registry, matching_url, sharer_id) == WISHES_IN_KESKUSTA
        _snapshot(registry, municipality_id, SEPTEMBER)
        for number in range(LATER_IN_KESKUSTA):
            _partner(stack, sharer_admin, KESKUSTA, 100 + number)
        _snapshot(registry, municipality_id, OCTOBER)
    finally:
        registry.database.dispose()
    return PlanningWorld(
        municipality_id=municipality_id,
        municipality_name=municipality_name,
        planner_email=planner_email,
        municipality_admin_email=municipality_admin,
        sharer_id=sharer_id,
        sharer_name=sharer_name,
        sharer_admin_email=sharer_admin,
    )


def registry_get(stack: PortalStack, email: str, path: str, **params: Any) -> httpx.Response:
    """The registry's own answer to ``email``, to compare the portal's pages with."""
    response = httpx.get(
        f"{stack.registry_url}{path}", headers=stack.api_token(email), params=params or None
    )
    assert response.status_code == 200, response.text
    return response
