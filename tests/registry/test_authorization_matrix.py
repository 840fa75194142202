"""The authorisation matrix: every partner endpoint × role × own / pooled / foreign
organisation × consent state, and every organisation-level endpoint × role, against the
exact answers allowed. A mismatch lists each cell that differs."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.registry.conftest import Member, World, add_partner, organisation_card

ROLES = ("admin", "staff", "coordinator", "planner", "support_user")
OK, FORBIDDEN, MISSING, INVALID = 200, 403, 404, 422

Request = Callable[[TestClient, Member, str], int]

PARTNER_ENDPOINTS: dict[str, Request] = {
    "read": lambda c, m, p: c.get(f"/partners/{p}", headers=m.headers).status_code,
    "change": lambda c, m, p: (
        c.patch(f"/partners/{p}", headers=m.headers, json={"tie_strength": "weak"}).status_code
    ),
    "export": lambda c, m, p: c.get(f"/partners/{p}/export", headers=m.headers).status_code,
    "activities": lambda c, m, p: c.get(f"/partners/{p}/activities", headers=m.headers).status_code,
    "log": lambda c, m, p: (
        c.post(f"/partners/{p}/activities", headers=m.headers, json={"kind": "contact"}).status_code
    ),
    "consents": lambda c, m, p: c.get(f"/partners/{p}/consents", headers=m.headers).status_code,
    "receipt": lambda c, m, p: (
        c.get(f"/partners/{p}/consents/receipt", headers=m.headers).status_code
    ),
}


@pytest.fixture
def actors(client: TestClient, world: World) -> dict[str, Member]:
    owner_org = world.organisation("Owner Org")
    pooled_org = world.organisation("Pooled Org")
    foreign_org = world.organisation("Foreign Org")
    found = {f"own {role}": world.member(owner_org, role) for role in ROLES}
    found["own responsible"] = world.member(owner_org, "staff")
    found |= {f"pooled {role}": world.member(pooled_org, role) for role in ROLES}
    found |= {f"foreign {role}": world.member(foreign_org, role) for role in ROLES}
    return found


def pool_between(client: TestClient, a: Member, b: Member) -> str:
    pool: str = client.post("/pools", headers=a.headers, json={"name": "Matrix Pool"}).json()["id"]
    client.post(
        f"/pools/{pool}/invitations", headers=a.headers, json={"organisation_id": b.organisation_id}
    )
    client.post(f"/pools/{pool}/accept", headers=b.headers)
    return pool


def expected_for(state: str, actor: str, endpoint: str) -> int:
    where, role = actor.split(" ", 1)
    reader = role in ("admin", "staff", "coordinator", "responsible")
    if not reader:
        return FORBIDDEN
    if where == "foreign":
        return MISSING
    if where == "pooled":
        if state != "shared":
            return MISSING
        return OK if endpoint == "read" else FORBIDDEN
    # own organisation
    sees = role in ("admin", "responsible") or state == "shared"
    if not sees:
        return MISSING
    if endpoint == "export" and role not in ("admin", "responsible"):
        return FORBIDDEN
    if endpoint == "log" and state == "pending":
        return INVALID
    return 201 if endpoint == "log" else OK


@pytest.mark.parametrize("state", ["shared", "private", "pending"])
def test_partner_endpoints(client: TestClient, actors: dict[str, Member], state: str) -> None:
    responsible = actors["own responsible"]
    pool = pool_between(client, actors["own admin"], actors["pooled admin"])
    if state == "shared":
        partner = add_partner(
            client, responsible, organisation_card("Matrix"), "file", "team", f"pool:{pool}"
        )
    elif state == "private":
        partner = add_partner(client, responsible, organisation_card("Matrix"), "file")
    else:
        partner = add_partner(
            client, responsible, {"name": "Matrix", "contact": {"email": "m@example.org"}}
        )
    mismatches = []
    for actor, member in actors.items():
        for endpoint, call in PARTNER_ENDPOINTS.items():
            got, want = call(client, member, partner["id"]), expected_for(state, actor, endpoint)
            if got != want:
                mismatches.append(f"{state} / {actor} / {endpoint}: got {got}, want {want}")
    assert mismatches == []


ORGANISATION_ENDPOINTS: dict[str, tuple[Request, set[str]]] = {
    "list partners": (
        lambda c, m, _: c.get("/partners", headers=m.headers).status_code,
        {"admin", "staff", "coordinator"},
    ),
    "add partner": (
        lambda c, m, _: (
            c.post(
                "/partners",
                headers=m.headers,
                json={
                    "kind": "organisation",
                    "card": {"name": "New", "contact": {"email": "n@example.org"}},
                },
            ).status_code
        ),
        {"admin", "staff", "coordinator"},
    ),
    "access log": (
        lambda c, m, _: c.get("/access-log", headers=m.headers).status_code,
        {"admin", "staff", "coordinator"},
    ),
    "verify access log": (
        lambda c, m, _: c.get("/access-log/verify", headers=m.headers).status_code,
        {"admin"},
    ),
    "supply": (
        lambda c, m, _: c.get("/aggregates/supply", headers=m.headers).status_code,
        {"admin", "planner"},
    ),
    "members": (
        lambda c, m, _: c.get("/users", headers=m.headers).status_code,
        {"admin", "staff", "coordinator"},
    ),
    "pools": (
        lambda c, m, _: c.get("/pools", headers=m.headers).status_code,
        {"admin", "staff", "coordinator"},
    ),
    "audit log": (lambda c, m, _: c.get("/audit-log", headers=m.headers).status_code, {"admin"}),
    "api tokens": (lambda c, m, _: c.get("/api-tokens", headers=m.headers).status_code, {"admin"}),
}


def test_organisation_endpoints(client: TestClient, actors: dict[str, Member]) -> None:
    mismatches = []
    for actor, member in actors.items():
        role = actor.split(" ", 1)[1]
        role = "staff" if role == "responsible" else role
        for endpoint, (call, allowed) in ORGANISATION_ENDPOINTS.items():
            got = call(client, member, "")
            want = (201 if endpoint == "add partner" else OK) if role in allowed else FORBIDDEN
            if got != want:
                mismatches.append(f"{actor} / {endpoint}: got {got}, want {want}")
    assert mismatches == []


def test_no_request_without_a_token_gets_through(
    client: TestClient, actors: dict[str, Member]
) -> None:
    partner = add_partner(
        client, actors["own responsible"], organisation_card("Anon"), "file", "team"
    )
    anonymous = Member("", "", "", {})
    codes = {
        name: call(client, anonymous, partner["id"]) for name, call in PARTNER_ENDPOINTS.items()
    }
    codes |= {
        name: call(client, anonymous, "") for name, (call, _) in ORGANISATION_ENDPOINTS.items()
    }
    assert set(codes.values()) == {401}, codes
