"""District exploration over HTTP: who covers which district, checked against the partners
and notes the organisation has there."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.districts.models import DistrictAssignment
from services.registry.partners.models import Partner, PartnerKind, PartnerStatus
from services.registry.runtime import Registry
from tests.registry.conftest import World


def add_partners(registry: Registry, organisation_id: str, district: str, *statuses: str) -> None:
    """Partner rows as the partners module stores them; only the plain columns matter here
    (the card is an opaque blob the coverage never reads)."""
    with registry.database.session() as session:
        for status in statuses:
            session.add(
                Partner(
                    organisation_id=organisation_id,
                    kind=PartnerKind.organisation.value,
                    status=status,
                    district_code=district,
                    card_updated_on=date.today(),
                    card_encrypted=b"",
                )
            )


def assignment_count(registry: Registry) -> int:
    with registry.database.session() as session:
        return session.scalar(select(func.count()).select_from(DistrictAssignment)) or 0


ACTIVE = PartnerStatus.active.value
PENDING = PartnerStatus.pending.value
INACTIVE = PartnerStatus.inactive.value


def test_a_coordinator_splits_districts_and_sees_the_coverage(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    coordinator = world.member(organisation, "coordinator", name="Kaisa Koordinaattori")
    aino = world.member(organisation, "staff", name="Aino")
    ville = world.member(organisation, "staff", name="Ville")
    add_partners(registry, organisation, "00530", ACTIVE, ACTIVE, PENDING, INACTIVE)
    add_partners(registry, organisation, "00100", ACTIVE)
    add_partners(registry, organisation, "00200", INACTIVE)  # an ended partnership only
    for _ in range(2):
        note = {"district_code": "00530", "question": "Who?", "answer": "Somebody"}
        client.post("/district-notes", headers=aino.headers, json=note)

    kallio = client.put(
        "/district-assignments/00530",
        headers=coordinator.headers,
        json={"user_ids": [aino.user_id, ville.user_id]},
    )
    assert kallio.status_code == 200, kallio.text
    assert kallio.json() == {
        "district_code": "00530",
        "district_name": "Kallio",
        "assignees": [
            {"user_id": aino.user_id, "display_name": "Aino"},
            {"user_id": ville.user_id, "display_name": "Ville"},
        ],
        "partners": 2,
        "pending_partners": 1,
        "notes": 2,
    }
    punavuori = client.put(
        "/district-assignments/00120",
        headers=coordinator.headers,
        json={"user_ids": [ville.user_id]},
    )
    assert punavuori.json()["partners"] == 0

    coverage = client.get("/district-assignments", headers=aino.headers).json()
    assert [d["district_code"] for d in coverage["districts"]] == ["00100", "00120", "00530"]
    keskusta = coverage["districts"][0]
    assert (keskusta["assignees"], keskusta["partners"], keskusta["notes"]) == ([], 1, 0)
    assert coverage["summary"] == {
        "partners_without_assignee": ["00100"],
        "assigned_without_partners": ["00120"],
    }

    admin = world.member(organisation, "admin")
    entries = client.get("/audit-log", headers=admin.headers).json()
    assigned = [e for e in entries if e["action"] == "district.assigned"]
    assert {e["target_id"] for e in assigned} == {"00530", "00120"}
    assert all(e["actor"] == f"user:{coordinator.user_id}" for e in assigned)


def test_a_put_replaces_the_team(client: TestClient, world: World, registry: Registry) -> None:
    organisation = world.organisation()
    admin = world.member(organisation, "admin")
    aino = world.member(organisation, "staff", name="Aino")
    ville = world.member(organisation, "staff", name="Ville")
    both = {"user_ids": [aino.user_id, ville.user_id, aino.user_id]}  # a repeat counts once
    client.put("/district-assignments/00530", headers=admin.headers, json=both)
    assert assignment_count(registry) == 2
    only_ville = client.put(
        "/district-assignments/00530", headers=admin.headers, json={"user_ids": [ville.user_id]}
    ).json()
    assert [a["display_name"] for a in only_ville["assignees"]] == ["Ville"]
    cleared = client.put(
        "/district-assignments/00530", headers=admin.headers, json={"user_ids": []}
    )
    assert cleared.json()["assignees"] == []
    assert client.get("/district-assignments", headers=admin.headers).json()["districts"] == []


def test_only_members_can_be_assigned_and_nothing_is_written_otherwise(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    coordinator = world.member(organisation, "coordinator")
    aino = world.member(organisation, "staff")
    outsider = world.member(world.organisation("Other"), "staff")
    for user_ids in ([aino.user_id, outsider.user_id], ["no-such-user"]):
        response = client.put(
            "/district-assignments/00530", headers=coordinator.headers, json={"user_ids": user_ids}
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "user_ids"
        assert user_ids[-1] in response.json()["error"]["message"]
    unknown = client.put(
        "/district-assignments/99999",
        headers=coordinator.headers,
        json={"user_ids": [aino.user_id]},
    )
    assert unknown.status_code == 404
    assert assignment_count(registry) == 0


def test_staff_read_the_coverage_but_only_leads_assign(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    staff = world.member(organisation, "staff")
    planner = world.member(organisation, "planner")
    body = {"user_ids": [staff.user_id]}
    assert (
        client.put("/district-assignments/00530", headers=staff.headers, json=body).status_code
        == 403
    )
    assert client.get("/district-assignments", headers=staff.headers).status_code == 200
    assert client.get("/district-assignments", headers=planner.headers).status_code == 403
    assert assignment_count(registry) == 0


def test_other_organisations_neither_see_nor_count(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation("Org A")
    coordinator = world.member(organisation, "coordinator")
    client.put(
        "/district-assignments/00530",
        headers=coordinator.headers,
        json={"user_ids": [coordinator.user_id]},
    )
    add_partners(registry, organisation, "00100", ACTIVE)
    other_org = world.organisation("Org B")
    other = world.member(other_org, "coordinator")
    add_partners(registry, other_org, "00530", ACTIVE)
    mine = client.get("/district-assignments", headers=coordinator.headers).json()
    assert {d["district_code"]: d["partners"] for d in mine["districts"]} == {
        "00100": 1,
        "00530": 0,
    }
    theirs = client.get("/district-assignments", headers=other.headers).json()
    assert [(d["district_code"], d["assignees"]) for d in theirs["districts"]] == [("00530", [])]


def test_a_member_who_left_is_still_shown_without_a_name(client: TestClient, world: World) -> None:
    organisation = world.organisation()
    admin = world.member(organisation, "admin")
    leaver = world.member(organisation, "staff", name="Leaver")
    client.put(
        "/district-assignments/00530", headers=admin.headers, json={"user_ids": [leaver.user_id]}
    )
    assert client.delete(f"/users/{leaver.user_id}", headers=admin.headers).status_code == 204
    kallio = client.get("/district-assignments", headers=admin.headers).json()["districts"][0]
    assert kallio["assignees"] == [{"user_id": leaver.user_id, "display_name": None}]
    assert client.get("/district-assignments", headers=admin.headers).json()["summary"][
        "assigned_without_partners"
    ] == ["00530"]
