"""A planning world on the real districts and categories: a municipality with a planner and
an admin, organisations that share statistics with it (or not), partners counted by
district and category, and wishes arriving as matching's `wish.changed` events."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from services.registry.consent.models import ConsentGrant
from services.registry.identity.models import OrganisationKind, new_id
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.runtime import Registry
from services.registry.tasks import apply
from tests.registry.conftest import Member, World

# Real Helsinki postal areas: 00100 and 00120 are neighbours (and both border 00130);
# 00990 (Aurinkolahti) borders neither.
KESKUSTA, PUNAVUORI, KAARTINKAUPUNKI, AURINKOLAHTI = "00100", "00120", "00130", "00990"
COOKING, HOUSING, RENTAL = "P1.1", "P1", "P1.2"


def wish_event(
    wish_id: str,
    organisation_id: str,
    district: str | None,
    categories: list[str],
    status: str = "open",
    **extra: Any,
) -> dict[str, Any]:
    """A `wish.changed` message as matching relays it."""
    return {
        "id": str(uuid.uuid4()),
        "source": "matching",
        "type": "wish.changed",
        "payload": {
            "wish_id": wish_id,
            "support_user_id": str(uuid.uuid4()),
            "organisation_id": organisation_id,
            "district_code": district,
            "category_codes": categories,
            "status": status,
            **extra,
        },
    }


@dataclass
class Planning:
    client: TestClient
    registry: Registry
    world: World
    municipality: str
    planner: Member
    admin: Member
    organisations: dict[str, tuple[str, Member]] = field(default_factory=dict)

    def organisation(self, name: str, *, shares: bool = True) -> str:
        """A support organisation and its admin; sharing statistics with the municipality
        unless told otherwise."""
        organisation_id = self.world.organisation(name)
        admin = self.world.member(organisation_id, "admin")
        self.organisations[name] = (organisation_id, admin)
        if shares:
            response = self.client.put(
                f"/planning/shares/{self.municipality}", headers=admin.headers
            )
            assert response.status_code == 200, response.text
        return organisation_id

    def partners(
        self,
        organisation_id: str,
        district: str,
        categories: list[str],
        count: int,
        *,
        statistics: bool = True,
        status: str = PartnerStatus.active.value,
    ) -> list[str]:
        """Partners as the registry stores them (consent grants and the row's copy of its
        purposes), written directly: counting is what is tested here, and hundreds of
        sealed cards would only slow the tests down."""
        purposes = ["file", "statistics"] if statistics else ["file"]
        ids = [new_id() for _ in range(count)]
        with self.registry.database.session() as session:
            session.execute(
                insert(Partner),
                [
                    {
                        "id": partner_id,
                        "organisation_id": organisation_id,
                        "kind": "organisation",
                        "status": status,
                        "district_code": district,
                        "category_codes": sorted(set(categories)),
                        "card_updated_on": date.today(),
                        "card_encrypted": b"",
                        "purposes": "".join(f"|{p}" for p in purposes) + "|",
                    }
                    for partner_id in ids
                ],
            )
            session.execute(
                insert(ConsentGrant),
                [
                    {"partner_id": partner_id, "purpose": purpose, "record_id": new_id()}
                    for partner_id in ids
                    for purpose in purposes
                ],
            )
        return ids

    def wishes(
        self,
        organisation_id: str,
        district: str | None,
        categories: list[str],
        count: int,
        status: str = "open",
    ) -> list[str]:
        ids = [str(uuid.uuid4()) for _ in range(count)]
        for wish_id in ids:
            message = wish_event(wish_id, organisation_id, district, categories, status)
            assert apply(self.registry, message) is True
        return ids

    def get(self, path: str, member: Member | None = None, /, **params: Any) -> Any:
        response = self.client.get(
            path, headers=(member or self.planner).headers, params=params or None
        )
        assert response.status_code == 200, response.text
        return response

    def coverage(self, **params: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.get("/planning/coverage", **params).json()
        return body


@pytest.fixture
def planning(
    client: TestClient, registry: Registry, world: World, reference_data: None
) -> Planning:
    municipality = world.organisation("Helsingin kaupunki", kind=OrganisationKind.municipality)
    return Planning(
        client=client,
        registry=registry,
        world=world,
        municipality=municipality,
        planner=world.member(municipality, "planner"),
        admin=world.member(municipality, "admin"),
    )


def cell(body: dict[str, Any], district: str, category: str) -> dict[str, Any] | None:
    for found in body["cells"]:
        if (found["district_code"], found["category_code"]) == (district, category):
            return dict(found)
    return None


def by_code(items: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(item for item in items if item["code"] == code)
