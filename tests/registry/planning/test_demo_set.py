"""Planning before the real reference data is at hand: with no districts at all the map still
draws and says so; on the made-up demo set the figures and the map work and the scope says
the districts are made up, so the portal can tell the planner."""

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from services.registry.identity.models import OrganisationKind
from services.registry.reference.defaults import load_demo_defaults
from services.registry.runtime import Registry
from tests.registry.conftest import Member, World

SVG = "{http://www.w3.org/2000/svg}"


def planner(world: World) -> Member:
    municipality = world.organisation("Esimerkkilän kunta", kind=OrganisationKind.municipality)
    return world.member(municipality, "planner")


def test_with_no_districts_the_map_says_there_are_none(client: TestClient, world: World) -> None:
    headers = planner(world).headers
    response = client.get("/planning/map.svg", headers=headers, params={"lang": "en"})
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.text)
    assert root.findall(f".//{SVG}path") == []
    assert "No districts on the map." in response.text
    coverage = client.get("/planning/coverage", headers=headers)
    assert coverage.status_code == 200, coverage.text
    assert client.get("/planning/scope", headers=headers).json()["demo_reference"] is False


def test_on_the_demo_set_the_map_draws_and_the_scope_says_it_is_made_up(
    client: TestClient, registry: Registry, world: World
) -> None:
    with registry.database.session() as session:
        load_demo_defaults(session)
    headers = planner(world).headers
    response = client.get("/planning/map.svg", headers=headers, params={"lang": "fi"})
    assert response.status_code == 200, response.text
    drawn = ET.fromstring(response.text).findall(f".//{SVG}path")
    assert sorted(p.get("id") or "" for p in drawn) == [f"district-DEMO-{n}" for n in range(1, 7)]
    assert client.get("/planning/scope", headers=headers).json()["demo_reference"] is True
