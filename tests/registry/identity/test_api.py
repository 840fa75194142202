"""Organisations and their members over HTTP, against PostgreSQL."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.audit.models import AuditEntry
from services.registry.identity.models import User
from services.registry.runtime import Registry
from tests.dumps import stored_text
from tests.registry.conftest import PASSWORD, World


def counts(registry: Registry) -> tuple[int, int]:
    with registry.database.session() as session:
        users = session.scalar(select(func.count()).select_from(User))
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return users or 0, audits or 0


def test_me_shows_the_user_their_organisation_and_roles(client: TestClient, world: World) -> None:
    org = world.organisation("Kotipolku")
    anna = world.member(org, "staff", "coordinator", name="Anna Ström")
    body = client.get("/me", headers=anna.headers).json()
    assert body["user"]["display_name"] == "Anna Ström"
    assert body["user"]["email"] == anna.email
    assert body["organisation"]["name"] == "Kotipolku"
    assert body["roles"] == ["coordinator", "staff"]


def test_personal_values_are_stored_encrypted(
    client: TestClient, world: World, registry: Registry
) -> None:
    org = world.organisation()
    world.member(org, "staff", name="Canary Kuusinen")
    with registry.database.session() as session:
        flat = stored_text(session, User.__table__)
    assert flat != "[]"
    assert "Canary" not in flat and "member" not in flat


def test_admin_adds_a_member_who_can_then_log_in(client: TestClient, world: World) -> None:
    org = world.organisation()
    admin = world.member(org, "admin")
    response = client.post(
        "/users",
        headers=admin.headers,
        json={
            "email": "New.Person@Example.org ",
            "display_name": "New Person",
            "password": PASSWORD,
            "roles": ["staff"],
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["roles"] == ["staff"]
    # the address is found however it is written
    assert world.login("new.person@example.org")
    listed = client.get("/users", headers=admin.headers).json()
    assert [u["display_name"] for u in listed] == ["Member", "New Person"]


def test_bad_user_input_names_the_field_and_writes_nothing(
    client: TestClient, world: World, registry: Registry
) -> None:
    org = world.organisation()
    admin = world.member(org, "admin")
    before = counts(registry)
    good = {"email": "x@example.org", "display_name": "X", "password": PASSWORD, "roles": ["staff"]}
    cases = {
        "email": {**good, "email": "not-an-address"},
        "password": {**good, "password": "short"},
        "roles": {**good, "roles": ["wizard"]},
        "display_name": {**good, "display_name": ""},
    }
    for field, body in cases.items():
        response = client.post("/users", headers=admin.headers, json=body)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["field"] == field
    duplicate = client.post(
        "/users", headers=admin.headers, json={**good, "email": admin.email.upper()}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["field"] == "email"
    assert counts(registry) == before


def test_only_admins_manage_members(client: TestClient, world: World) -> None:
    org = world.organisation()
    staff = world.member(org, "staff")
    body = {"email": "y@example.org", "display_name": "Y", "password": PASSWORD, "roles": ["admin"]}
    assert client.post("/users", headers=staff.headers, json=body).status_code == 403
    assert (
        client.put(
            f"/users/{staff.user_id}/roles", headers=staff.headers, json={"roles": ["admin"]}
        ).status_code
        == 403
    )


def test_the_last_admin_cannot_be_demoted_or_removed(client: TestClient, world: World) -> None:
    org = world.organisation()
    admin = world.member(org, "admin")
    demote = client.put(
        f"/users/{admin.user_id}/roles", headers=admin.headers, json={"roles": ["staff"]}
    )
    assert demote.status_code == 409
    assert demote.json()["error"]["code"] == "last_admin"
    assert client.delete(f"/users/{admin.user_id}", headers=admin.headers).status_code == 409
    second = world.member(org, "staff")
    promoted = client.put(
        f"/users/{second.user_id}/roles", headers=admin.headers, json={"roles": ["admin", "staff"]}
    )
    assert promoted.json()["roles"] == ["admin", "staff"]
    second.headers = world.login(second.email)  # new roles arrive with the next token
    assert client.delete(f"/users/{admin.user_id}", headers=second.headers).status_code == 204
    assert client.get("/me", headers=admin.headers).status_code == 403


def test_one_organisation_cannot_see_another_organisations_users(
    client: TestClient, world: World
) -> None:
    mine = world.member(world.organisation("Mine"), "admin")
    theirs = world.member(world.organisation("Theirs"), "admin")
    assert client.get(f"/users/{theirs.user_id}", headers=mine.headers).status_code == 404
    assert [u["id"] for u in client.get("/users", headers=mine.headers).json()] == [mine.user_id]
    assert client.delete(f"/users/{theirs.user_id}", headers=mine.headers).status_code == 404
    patch = client.patch(
        f"/organisations/{theirs.organisation_id}",
        headers=mine.headers,
        json={"name": "Taken over"},
    )
    assert patch.status_code == 403


def test_planner_and_support_user_cannot_list_members(client: TestClient, world: World) -> None:
    org = world.organisation()
    for role in ("planner", "support_user"):
        member = world.member(org, role)
        assert client.get("/users", headers=member.headers).status_code == 403
        assert client.get(f"/users/{member.user_id}", headers=member.headers).status_code == 200


def test_admin_actions_are_in_the_audit_log(client: TestClient, world: World) -> None:
    org = world.organisation()
    admin = world.member(org, "admin")
    staff = world.member(org, "staff")
    client.put(
        f"/users/{staff.user_id}/roles", headers=admin.headers, json={"roles": ["coordinator"]}
    )
    client.patch(f"/organisations/{org}", headers=admin.headers, json={"name": "Renamed"})
    actions = [e["action"] for e in client.get("/audit-log", headers=admin.headers).json()]
    assert actions[:2] == ["organisation.updated", "user.roles_changed"]
    assert "user.created" in actions
    assert client.get("/audit-log", headers=staff.headers).status_code == 403
    other = world.member(world.organisation("Other"), "admin")
    assert all(
        e["target_id"] != staff.user_id
        for e in client.get("/audit-log", headers=other.headers).json()
    )


def test_password_change_needs_the_current_password(client: TestClient, world: World) -> None:
    org = world.organisation()
    anna = world.member(org, "staff")
    wrong = client.post(
        "/me/password",
        headers=anna.headers,
        json={"current_password": "wrong", "new_password": "another long password"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "current_password"
    ok = client.post(
        "/me/password",
        headers=anna.headers,
        json={"current_password": PASSWORD, "new_password": "another long password"},
    )
    assert ok.status_code == 204
    assert (
        client.post("/auth/login", json={"email": anna.email, "password": PASSWORD}).status_code
        == 401
    )
    assert world.login(anna.email, "another long password")
