"""Planners' supply figures: counts by district × category from partners with
`statistics` consent only, small cells suppressed, nothing about a person."""

from fastapi.testclient import TestClient
from sqlalchemy import update

from services.registry.partners.models import Partner
from services.registry.runtime import Registry
from tests.registry.conftest import World, add_partner, organisation_card


def test_counts_only_consenting_partners_and_suppresses_small_cells(
    client: TestClient, world: World, registry: Registry
) -> None:
    org = world.organisation()
    staff = world.member(org, "staff")
    planner = world.member(org, "planner")
    made = [
        add_partner(client, staff, organisation_card(f"Tilasto {n}"), "file", "statistics")
        for n in range(6)
    ]
    made += [
        add_partner(client, staff, organisation_card(f"Pieni {n}"), "file", "statistics")
        for n in range(2)
    ]
    made += [
        add_partner(client, staff, organisation_card(f"Ei Tilastoa {n}"), "file") for n in range(5)
    ]
    with registry.database.session() as session:
        # district and category codes are set directly: reference data is tested on its own
        for index, partner in enumerate(made):
            district = "00100" if index < 6 or index >= 8 else "00530"
            session.execute(
                update(Partner)
                .where(Partner.id == partner["id"])
                .values(district_code=district, category_codes=["TEST.1"])
            )
    body = client.get("/aggregates/supply", headers=planner.headers).json()
    cells = {(c["district_code"], c["category_code"]): c for c in body["cells"]}
    assert cells[("00100", "TEST.1")]["partners"] == 6
    assert cells[("00530", "TEST.1")] == {
        "district_code": "00530",
        "category_code": "TEST.1",
        "partners": None,
        "suppressed": True,
    }
    assert "Tilasto" not in repr(body)
    assert client.get("/aggregates/supply", headers=staff.headers).status_code == 403
    low = client.get("/aggregates/supply", headers=planner.headers, params={"k": 2})
    assert low.status_code == 422 and low.json()["error"]["field"] == "k"
