"""Sharing statistics with a municipality: an organisation's admin starts and stops it, only
towards a municipality, every change in the audit log; and who may call what."""

from fastapi.testclient import TestClient

from tests.registry.planning.conftest import COOKING, KESKUSTA, Planning

PLANNER_VIEWS = (
    "/planning/scope",
    "/planning/coverage",
    "/planning/coverage.csv",
    "/planning/coverage.geojson",
    "/planning/map.svg",
    "/planning/gaps",
    "/planning/gaps.csv",
    "/planning/trends",
    "/planning/trends.csv",
)


def test_an_admin_starts_and_stops_sharing_and_the_planner_sees_it(planning: Planning) -> None:
    client = planning.client
    org = planning.organisation("Kotipolku ry", shares=False)
    admin = planning.organisations["Kotipolku ry"][1]
    planning.partners(org, KESKUSTA, [COOKING], 7)
    assert planning.coverage()["total"]["supply"] == 0

    started = client.put(f"/planning/shares/{planning.municipality}", headers=admin.headers)
    assert started.status_code == 200
    assert [m["name"] for m in started.json()["shares_with"]] == ["Helsingin kaupunki"]
    again = client.put(f"/planning/shares/{planning.municipality}", headers=admin.headers)
    assert again.json() == started.json()  # already sharing: nothing changes
    assert planning.coverage()["total"]["supply"] == 7
    scope = planning.get("/planning/scope").json()
    assert [o["name"] for o in scope["organisations"]] == ["Helsingin kaupunki", "Kotipolku ry"]
    mine = client.get("/planning/shares", headers=planning.admin.headers).json()
    assert [o["name"] for o in mine["shared_with_us"]] == ["Kotipolku ry"]

    stopped = client.delete(f"/planning/shares/{planning.municipality}", headers=admin.headers)
    assert stopped.status_code == 200 and stopped.json()["shares_with"] == []
    assert planning.coverage()["total"]["supply"] == 0
    gone = client.delete(f"/planning/shares/{planning.municipality}", headers=admin.headers)
    assert gone.status_code == 404
    # And back again.
    back = client.put(f"/planning/shares/{planning.municipality}", headers=admin.headers)
    assert back.status_code == 200
    assert planning.coverage()["total"]["supply"] == 7

    log = client.get("/audit-log", headers=admin.headers).json()
    actions = [entry["action"] for entry in log]
    assert actions.count("statistics.shared") == 2 and actions.count("statistics.share_ended") == 1


def test_statistics_are_shared_with_a_municipality_only(planning: Planning) -> None:
    client = planning.client
    planning.organisation("Kotipolku ry", shares=False)
    admin = planning.organisations["Kotipolku ry"][1]
    other = planning.world.organisation("Toinen ry")
    for target, status in ((other, 422), ("no-such-organisation", 404)):
        response = client.put(f"/planning/shares/{target}", headers=admin.headers)
        assert response.status_code == status
    own = client.put(f"/planning/shares/{planning.municipality}", headers=planning.admin.headers)
    assert own.status_code == 422 and own.json()["error"]["field"] == "municipality_id"
    assert client.get("/planning/shares", headers=admin.headers).json()["shares_with"] == []


def test_who_may_call_what(planning: Planning, client: TestClient) -> None:
    org = planning.municipality
    members = {
        role: planning.world.member(org, role)
        for role in ("admin", "staff", "coordinator", "planner", "support_user")
    }
    sharer = planning.world.organisation("Kotipolku ry")
    sharer_members = {
        role: planning.world.member(sharer, role) for role in ("admin", "staff", "planner")
    }
    for role, member in members.items():
        for path in PLANNER_VIEWS:
            expected = 200 if role in ("admin", "planner") else 403
            assert client.get(path, headers=member.headers).status_code == expected, (role, path)
        expected = 200 if role == "admin" else 403
        assert client.get("/planning/shares", headers=member.headers).status_code == expected
    for role, member in sharer_members.items():
        response = client.put(f"/planning/shares/{org}", headers=member.headers)
        assert response.status_code == (200 if role == "admin" else 403), role
    assert client.get("/planning/coverage").status_code == 401
