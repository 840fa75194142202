"""The pool network over HTTP: built from contacts, shared events, referrals and recorded
acquaintances; a foreign organisation's unshared partner never appears, a pooled one with
consent does, named; `activity.logged` applied twice changes nothing; forgetting a partner
removes its ties."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from services.matching.networks.models import Acquaintance, PartnerContact
from services.matching.runtime import Matching
from services.matching.tasks import apply
from tests.matching.conftest import Org, club, index_partner
from tests.matching.test_referrals import consent, setup_referral

SECRET = "Salainen-Qwxz-kerho"
FORMATS = ("svg", "graphml", "gexf", "json")


def message(type_: str, **payload: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "registry", "type": type_, "payload": payload}


def activity(
    partner: str, org: str, staff: str | None, kind: str = "contact", days_ago: int = 10, **kw: Any
) -> dict[str, Any]:
    day = (date.today() - timedelta(days=days_ago)).isoformat()
    return message(
        "activity.logged",
        partner_id=partner,
        organisation_id=org,
        activity_id=kw.get("activity_id") or str(uuid.uuid4()),
        kind=kind,
        occurred_on=day,
        staff_user_id=staff,
        last_contact_on=day,
    )


def pool_of(matching: Matching, *orgs: Org) -> str:
    pool = str(uuid.uuid4())
    for version, org in enumerate(orgs, start=1):
        apply(
            matching,
            message(
                "pool.membership_changed",
                pool_id=pool,
                organisation_id=org.id,
                status="active",
                version=version,
            ),
        )
    return pool


def contacts(matching: Matching, partner: str) -> int:
    with matching.database.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(PartnerContact)
                .where(PartnerContact.partner_id == partner)
            )
            or 0
        )


def network(org: Org, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = org.client.get("/networks/pool", params={"lang": "en"}, headers=headers or org.staff)
    assert response.status_code == 200, response.text
    return dict(response.json())


def edge(result: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    return next((e for e in result["edges"] if {e["source"], e["target"]} == {a, b}), None)


@pytest.fixture
def scene(matching: Matching, orgs: list[Org]) -> dict[str, Any]:
    """Organisations A and B in one pool. A has a partner its staff member met three times
    and a support user; B has a partner shared with the pool and one it keeps to itself, both
    at the same event and met by B's staff member."""
    a, b = orgs[0], orgs[1]
    pool = pool_of(matching, a, b)
    own = index_partner(matching, a.id, club("Oma kerho"))
    pooled = index_partner(
        matching, b.id, club("Jaettu kuoro"), purposes=("file", "team", "matching", f"pool:{pool}")
    )
    secret = index_partner(matching, b.id, club(SECRET))
    staff_a = f"staff-of-{a.id[:8]}"
    staff_b = f"staff-b-{uuid.uuid4().hex[:12]}"
    for days in (5, 40, 200):
        assert apply(matching, activity(own, a.id, staff_a, days_ago=days))
    for partner in (pooled, secret):
        assert apply(matching, activity(partner, b.id, staff_b, kind="event", days_ago=3))
    person = a.client.post("/support-users", json={"name": "Aino Yksin"}, headers=a.staff).json()
    acquaintance = a.client.post(
        "/networks/acquaintances",
        json={"a": {"kind": "staff", "id": staff_a}, "b": {"kind": "partner", "id": pooled}},
        headers=a.staff,
    )
    assert acquaintance.status_code == 201, acquaintance.text
    return {
        "a": a,
        "b": b,
        "own": own,
        "pooled": pooled,
        "secret": secret,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "person": person["id"],
    }


def test_a_foreign_unshared_partner_never_appears(scene: dict[str, Any]) -> None:
    a: Org = scene["a"]
    result = network(a)
    keys = {n["key"]: n for n in result["nodes"]}
    assert scene["secret"] not in keys
    pooled = keys[scene["pooled"]]
    assert (pooled["named"], pooled["label"], pooled["own"]) == (True, "Jaettu kuoro ry", False)
    assert keys[scene["own"]]["label"] == "Oma kerho ry" and keys[scene["own"]]["own"]
    # B's staff member is there (they know the pooled partner) but not who they are
    foreign_staff = [n for n in result["nodes"] if n["kind"] == "staff" and not n["own"]]
    assert len(foreign_staff) == 1
    assert foreign_staff[0]["key"].startswith("anon-") and foreign_staff[0]["label"] is None
    assert not foreign_staff[0]["named"]
    # the shared event linked pooled and secret; that tie is not shown either
    assert edge(result, scene["pooled"], foreign_staff[0]["key"])["sources"] == ["activity"]
    assert all(scene["secret"] not in (e["source"], e["target"]) for e in result["edges"])
    texts = [str(result)]
    for fmt in FORMATS:
        download = a.client.get(f"/networks/pool.{fmt}", headers=a.staff)
        assert download.status_code == 200, download.text
        assert f'filename="pool-network.{fmt}"' in download.headers["content-disposition"]
        texts.append(download.text)
    assert "Jaettu kuoro ry" in texts[1]  # the drawing names the pooled partner
    for text in texts:
        assert scene["secret"] not in text and SECRET not in text
        assert scene["staff_b"] not in text
    # B sees its own partner, named, and the event that linked it
    mine = network(scene["b"])
    keys_b = {n["key"]: n for n in mine["nodes"]}
    assert keys_b[scene["secret"]]["label"] == f"{SECRET} ry"
    assert edge(mine, scene["pooled"], scene["secret"])["sources"] == ["shared_event"]
    assert scene["own"] not in keys_b  # A's partner is not pooled


def test_ties_strength_and_findings(scene: dict[str, Any]) -> None:
    result = network(scene["a"])
    own_tie = edge(result, scene["own"], scene["staff_a"])
    assert own_tie is not None
    assert own_tie["strength"] == "strong"  # three contacts within 12 months
    assert own_tie["sources"] == ["activity"]
    assert edge(result, scene["staff_a"], scene["pooled"])["strength"] == "weak"
    findings = result["findings"]
    assert scene["person"] in findings["isolates"]
    assert scene["staff_a"] in findings["articulation_points"]
    assert scene["pooled"] in findings["articulation_points"]
    assert (findings["strong_ties"], findings["weak_ties"]) == (1, 2)
    assert [scene["staff_a"], scene["pooled"]] in findings["bridges"] or [
        scene["pooled"],
        scene["staff_a"],
    ] in findings["bridges"]
    assert findings["information_sharing"][0]["would_split"] == 2
    assert "would be cut off" in findings["information_sharing"][0]["reason"]
    assert result["betweenness"]["method"] == "exact"
    assert result["betweenness"]["error"] is None
    assert result["summary"]["en"][0].startswith("The network has 5 members and 3 ties")
    assert result["summary"]["fi"][0].startswith("Verkostossa on 5 toimijaa ja 3 suhdetta")
    assert sum(len(c) for c in findings["communities"]) == len(result["nodes"])


def test_only_the_organisations_workers_see_the_pool_network(scene: dict[str, Any]) -> None:
    a: Org = scene["a"]
    for role in ("planner", "support_user"):
        assert a.client.get("/networks/pool", headers=a.headers(role)).status_code == 403
        assert a.client.get("/networks/pool.svg", headers=a.headers(role)).status_code == 403
    assert a.client.get("/networks/pool", headers=a.headers("coordinator")).status_code == 200
    assert a.client.get("/networks/pool").status_code == 401


def test_activity_logged_twice_is_one_contact(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    partner = index_partner(matching, org.id, club("Kuoro"))
    logged = activity(partner, org.id, "staff-1")
    assert apply(matching, logged)
    assert not apply(matching, logged)  # the same event again
    # the same activity in another delivery (a replay) is still one contact
    assert apply(matching, {**logged, "id": str(uuid.uuid4())})
    assert contacts(matching, partner) == 1
    result = network(org)
    assert edge(result, partner, "staff-1")["strength"] == "weak"
    # an event from an older publisher, without activity id, only moves the last contact
    assert apply(matching, message("activity.logged", partner_id=partner, organisation_id=org.id))
    assert contacts(matching, partner) == 1


def test_forgetting_a_partner_removes_its_ties(matching: Matching, scene: dict[str, Any]) -> None:
    a: Org = scene["a"]
    pooled = scene["pooled"]
    assert contacts(matching, pooled) == 1
    apply(
        matching,
        message(
            "partner.forgotten",
            partner_id=pooled,
            organisation_id=scene["b"].id,
            changed_at="2099-01-01T00:00:00",
        ),
    )
    assert contacts(matching, pooled) == 0
    with matching.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Acquaintance)) == 0
    result = network(a)
    assert pooled not in {n["key"] for n in result["nodes"]}
    assert all(pooled not in (e["source"], e["target"]) for e in result["edges"])
    assert a.client.get("/networks/acquaintances", headers=a.staff).json() == []


def test_referrals_become_ties(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    person, wish_id, resource = setup_referral(matching, org)
    consent(org, person, "share_details")
    partner = resource.split(":")[0]
    body = {"wish_id": wish_id, "resource_id": resource}
    referral = org.client.post("/referrals", json=body, headers=org.staff).json()
    assert edge(network(org), person["id"], partner) is None  # only proposed
    steps = f"/referrals/{referral['id']}/steps"
    org.client.post(steps, json={"status": "contacted"}, headers=org.staff)
    assert edge(network(org), person["id"], partner)["strength"] == "weak"
    org.client.post(steps, json={"status": "accepted"}, headers=org.staff)
    tie = edge(network(org), person["id"], partner)
    assert tie is not None and tie["strength"] == "strong" and tie["sources"] == ["referral"]
    named = {n["key"]: n for n in network(org)["nodes"]}[person["id"]]
    assert named["label"] == "Maija Mallikas" and named["kind"] == "support_user"


def test_acquaintances_are_recorded_listed_and_removed(
    matching: Matching, scene: dict[str, Any]
) -> None:
    a: Org = scene["a"]
    b: Org = scene["b"]
    url = "/networks/acquaintances"
    body = {
        "a": {"kind": "support_user", "id": scene["person"]},
        "b": {"kind": "partner", "id": scene["own"]},
        "strength": "strong",
    }
    created = a.client.post(url, json=body, headers=a.headers("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["strength"] == "strong" and created.json()["id"]
    assert a.client.post(url, json=body, headers=a.staff).status_code == 409
    assert a.client.post(url, json=body, headers=a.headers("coordinator")).status_code == 403
    listed = a.client.get(url, headers=a.headers("coordinator")).json()
    assert len(listed) == 2
    assert b.client.get(url, headers=b.staff).json() == []
    tie = edge(network(a), scene["person"], scene["own"])
    assert tie is not None and tie["sources"] == ["acquaintance"] and tie["strength"] == "strong"
    assert b.client.delete(f"{url}/{created.json()['id']}", headers=b.staff).status_code == 404
    assert a.client.delete(f"{url}/{created.json()['id']}", headers=a.staff).status_code == 204
    assert len(a.client.get(url, headers=a.staff).json()) == 1


@pytest.mark.parametrize(
    ("a_end", "b_end", "field"),
    [
        ({"kind": "staff", "id": "me"}, {"kind": "partner", "id": "SECRET"}, "b.id"),
        ({"kind": "support_user", "id": "nobody"}, {"kind": "staff", "id": "me"}, "a.id"),
        ({"kind": "staff", "id": "stranger"}, {"kind": "staff", "id": "me"}, "a.id"),
        ({"kind": "staff", "id": "me"}, {"kind": "staff", "id": "me"}, "b.id"),
        ({"kind": "robot", "id": "me"}, {"kind": "staff", "id": "me"}, "a.kind"),
        ({"kind": "staff", "id": ""}, {"kind": "staff", "id": "me"}, "a.id"),
    ],
)
def test_bad_acquaintances_name_the_field_and_change_nothing(
    matching: Matching,
    scene: dict[str, Any],
    a_end: dict[str, str],
    b_end: dict[str, str],
    field: str,
) -> None:
    a: Org = scene["a"]
    swap = {"me": scene["staff_a"], "SECRET": scene["secret"]}
    ends = [{**end, "id": swap.get(end["id"], end["id"])} for end in (a_end, b_end)]
    with matching.database.session() as session:
        before = session.scalar(select(func.count()).select_from(Acquaintance))
    response = a.client.post(
        "/networks/acquaintances", json={"a": ends[0], "b": ends[1]}, headers=a.staff
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    with matching.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Acquaintance)) == before
