"""Sharing pools: create, invite, accept, leave — and who sees what."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.pools.models import PoolMember
from services.registry.runtime import Registry
from tests.registry.conftest import World


def test_invite_accept_and_leave(client: TestClient, world: World) -> None:
    a = world.member(world.organisation("Org A"), "admin")
    b = world.member(world.organisation("Org B"), "admin")
    b_staff = world.member(b.organisation_id, "staff")
    pool = client.post("/pools", headers=a.headers, json={"name": "Kallio"}).json()
    assert pool["my_status"] == "active"

    invited = client.post(
        f"/pools/{pool['id']}/invitations",
        headers=a.headers,
        json={"organisation_id": b.organisation_id},
    )
    assert invited.status_code == 201
    assert {m["organisation_name"]: m["status"] for m in invited.json()["members"]} == {
        "Org A": "active",
        "Org B": "invited",
    }
    assert client.get("/pools", headers=b.headers).json()[0]["my_status"] == "invited"

    assert client.post(f"/pools/{pool['id']}/accept", headers=b_staff.headers).status_code == 403
    accepted = client.post(f"/pools/{pool['id']}/accept", headers=b.headers)
    assert accepted.json()["my_status"] == "active"

    assert client.post(f"/pools/{pool['id']}/leave", headers=b.headers).status_code == 204
    assert client.get(f"/pools/{pool['id']}", headers=b.headers).status_code == 404
    members = client.get(f"/pools/{pool['id']}", headers=a.headers).json()["members"]
    assert {m["organisation_name"]: m["status"] for m in members} == {
        "Org A": "active",
        "Org B": "left",
    }


def test_an_outsider_sees_nothing_of_a_pool(client: TestClient, world: World) -> None:
    a = world.member(world.organisation("Org A"), "admin")
    outsider = world.member(world.organisation("Org C"), "admin")
    pool = client.post("/pools", headers=a.headers, json={"name": "Kallio"}).json()
    assert client.get(f"/pools/{pool['id']}", headers=outsider.headers).status_code == 404
    assert client.get("/pools", headers=outsider.headers).json() == []
    assert (
        client.post(
            f"/pools/{pool['id']}/invitations",
            headers=outsider.headers,
            json={"organisation_id": outsider.organisation_id},
        ).status_code
        == 404
    )
    assert client.post(f"/pools/{pool['id']}/accept", headers=outsider.headers).status_code == 404


def test_bad_invitations_are_refused_and_change_nothing(
    client: TestClient, world: World, registry: Registry
) -> None:
    a = world.member(world.organisation("Org A"), "admin")
    b = world.member(world.organisation("Org B"), "admin")
    pool = client.post("/pools", headers=a.headers, json={"name": "Kallio"}).json()
    client.post(
        f"/pools/{pool['id']}/invitations",
        headers=a.headers,
        json={"organisation_id": b.organisation_id},
    )

    def members() -> int:
        with registry.database.session() as session:
            return session.scalar(select(func.count()).select_from(PoolMember)) or 0

    before = members()
    unknown = client.post(
        f"/pools/{pool['id']}/invitations",
        headers=a.headers,
        json={"organisation_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["field"] == "organisation_id"
    twice = client.post(
        f"/pools/{pool['id']}/invitations",
        headers=a.headers,
        json={"organisation_id": b.organisation_id},
    )
    assert twice.status_code == 409
    short = client.post("/pools", headers=a.headers, json={"name": "x"})
    assert short.status_code == 422 and short.json()["error"]["field"] == "name"
    assert members() == before


def test_only_admins_change_pools(client: TestClient, world: World) -> None:
    org = world.organisation()
    staff = world.member(org, "staff")
    planner = world.member(org, "planner")
    assert client.post("/pools", headers=staff.headers, json={"name": "Mine"}).status_code == 403
    assert client.get("/pools", headers=staff.headers).status_code == 200
    assert client.get("/pools", headers=planner.headers).status_code == 403
