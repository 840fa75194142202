"""Eco-maps over HTTP: members added, changed and removed, snapshots and their comparison,
downloads, who may see them, names sealed at rest, and bad input that names its field and
changes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from services.matching.networks.models import EcoMapMember, EcoMapSnapshot
from services.matching.runtime import Matching
from tests.dumps import stored_text
from tests.matching.conftest import Org, club, index_partner

CANARY = "Zyxwvu-Naapurinmummo"


def person(org: Org, account: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Aino Esimerkki"}
    if account:
        body["account_user_id"] = account
    response = org.client.post("/support-users", json=body, headers=org.staff)
    assert response.status_code == 201, response.text
    return dict(response.json())


def add(org: Org, person_id: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    member = {
        "name": CANARY,
        "relation": "neighbour",
        "ring": "middle",
        "support": ["company", "practical"],
        "reciprocity": "mutual",
        "frequency": "weekly",
        **body,
    }
    return org.client.post(
        f"/support-users/{person_id}/eco-map/members", json=member, headers=headers or org.staff
    )


def counts(matching: Matching) -> tuple[int, int]:
    with matching.database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(EcoMapMember)) or 0,
            session.scalar(select(func.count()).select_from(EcoMapSnapshot)) or 0,
        )


def test_members_are_added_changed_and_removed(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    pid = person(org)["id"]
    partner = index_partner(matching, org.id, club("Kuoro"))
    created = add(org, pid, note="tavataan pihalla", partner_id=partner)
    assert created.status_code == 201, created.text
    member = created.json()
    assert member["name"] == CANARY and member["partner_id"] == partner
    assert member["support"] == ["company", "practical"] and member["note"] == "tavataan pihalla"
    url = f"/support-users/{pid}/eco-map"
    second = add(org, pid, name="Äiti", relation="family", ring="inner", support=[]).json()
    eco_map = org.client.get(url, headers=org.staff).json()
    assert eco_map["support_user_id"] == pid
    assert [m["name"] for m in eco_map["members"]] == ["Äiti", CANARY]  # inner ring first
    assert {q["code"] for q in eco_map["guiding_questions"]} >= {
        "friends_nearby",
        "important_news",
        "advice",
    }
    assert all(q["fi"] and q["en"] for q in eco_map["guiding_questions"])
    assert eco_map["updated_at"] is not None
    changed = org.client.patch(
        f"{url}/members/{member['id']}",
        json={"ring": "inner", "reciprocity": "gives", "partner_id": None},
        headers=org.staff,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"ring": "middle", "reciprocity": "mutual", "partner_id": partner} == (
        member
    )
    renamed = org.client.patch(
        f"{url}/members/{member['id']}", json={"name": "Naapuri"}, headers=org.staff
    ).json()
    assert renamed["name"] == "Naapuri" and renamed["note"] == "tavataan pihalla"
    assert org.client.delete(f"{url}/members/{second['id']}", headers=org.staff).status_code == 204
    assert org.client.delete(f"{url}/members/{second['id']}", headers=org.staff).status_code == 404
    assert [m["id"] for m in org.client.get(url, headers=org.staff).json()["members"]] == [
        member["id"]
    ]


def test_names_and_notes_are_sealed_at_rest(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    pid = person(org)["id"]
    assert add(org, pid, note=f"{CANARY}-note").status_code == 201
    url = f"/support-users/{pid}/eco-map/snapshots"
    assert (
        org.client.post(url, json={"label": f"{CANARY}-label"}, headers=org.staff).status_code
        == 201
    )
    with matching.database.session() as session:
        members = stored_text(session, EcoMapMember.__table__)
        shots = stored_text(session, EcoMapSnapshot.__table__)
    assert "neighbour" in members  # coarse attributes are plain
    for dump in (members, shots):
        assert CANARY not in dump and "Naapurinmummo" not in dump


def test_snapshots_and_their_comparison(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    pid = person(org)["id"]
    base = f"/support-users/{pid}/eco-map"
    staff_member = add(org, pid, name="Ohjaaja Olli", relation="staff", ring="inner").json()
    add(org, pid, name="Sisko", relation="family", ring="middle", reciprocity="gives")
    before = org.client.post(f"{base}/snapshots", json={"label": "ennen"}, headers=org.staff)
    assert before.status_code == 201, before.text
    assert before.json()["size"] == 2 and before.json()["label"] == "ennen"
    # activation: a friend from the choir, the worker moves out a ring
    add(org, pid, name="Kuorokaveri", relation="friend", ring="middle")
    org.client.patch(
        f"{base}/members/{staff_member['id']}", json={"ring": "outer"}, headers=org.staff
    )
    after = org.client.post(f"{base}/snapshots", json={"label": "jälkeen"}, headers=org.staff)
    listed = org.client.get(f"{base}/snapshots", headers=org.staff).json()
    assert [s["label"] for s in listed] == ["jälkeen", "ennen"]
    detail = org.client.get(f"{base}/snapshots/{before.json()['id']}", headers=org.staff).json()
    assert sorted(m["name"] for m in detail["members"]) == ["Ohjaaja Olli", "Sisko"]
    query = {"before": before.json()["id"], "after": after.json()["id"]}
    compared = org.client.get(f"{base}/comparison", params=query, headers=org.staff)
    assert compared.status_code == 200, compared.text
    result = compared.json()
    assert result["added"] == ["Kuorokaveri"] and result["lost"] == []
    assert result["changed"] == [{"name": "Ohjaaja Olli", "from_ring": "inner", "to_ring": "outer"}]
    assert (result["before"]["paid_share"], result["after"]["paid_share"]) == (0.5, 0.333)
    assert result["after"]["by_relation"]["friend"] == 1
    assert "The network grew from 2 to 3 people." in result["summary"]["en"]
    assert "Uusia suhteita: Kuorokaveri." in result["summary"]["fi"]
    now = org.client.get(
        f"{base}/comparison", params={"before": before.json()["id"]}, headers=org.staff
    ).json()
    assert now["after"] == result["after"]
    missing = org.client.get(
        f"{base}/comparison", params={"before": "nope", "after": "current"}, headers=org.staff
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "before"


def test_downloads(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    pid = person(org)["id"]
    add(org, pid)
    shot = org.client.post(
        f"/support-users/{pid}/eco-map/snapshots", json={"label": "alku"}, headers=org.staff
    ).json()
    add(org, pid, name="Myöhempi")
    svg = org.client.get(
        f"/support-users/{pid}/eco-map.svg",
        params={"snapshot": shot["id"], "lang": "en"},
        headers=org.staff,
    )
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-disposition"].startswith("attachment;")
    assert "Eco-map: Aino Esimerkki" in svg.text and CANARY in svg.text
    assert "Myöhempi" not in svg.text  # the snapshot, not the eco-map as it is now
    for fmt, media in (
        ("graphml", "application/graphml+xml"),
        ("gexf", "application/gexf+xml"),
        ("json", "application/json"),
    ):
        response = org.client.get(f"/support-users/{pid}/eco-map.{fmt}", headers=org.staff)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        assert f'filename="eco-map-{pid}.{fmt}"' in response.headers["content-disposition"]
        assert "Myöhempi" in response.text
    assert org.client.get(f"/support-users/{pid}/eco-map.pdf", headers=org.staff).status_code == 422


def test_only_the_organisation_and_the_person_see_an_eco_map(
    matching: Matching, orgs: list[Org]
) -> None:
    org, other = orgs[0], orgs[1]
    pid = person(org, account="account-7")["id"]
    member = add(org, pid).json()
    url = f"/support-users/{pid}/eco-map"
    own = org.headers("support_user", user="account-7")
    stranger = org.headers("support_user", user="account-8")
    assert org.client.get(url, headers=own).status_code == 200
    assert add(org, pid, headers=own, name="Oma ystävä", relation="friend").status_code == 201
    for headers in (other.staff, other.headers("admin"), stranger, org.headers("planner")):
        assert org.client.get(url, headers=headers).status_code == 404
        assert org.client.get(f"{url}/snapshots", headers=headers).status_code == 404
        assert org.client.get(f"{url}.svg", headers=headers).status_code == 404
        assert add(org, pid, headers=headers).status_code == 404
        assert (
            org.client.delete(f"{url}/members/{member['id']}", headers=headers).status_code == 404
        )
    assert len(org.client.get(url, headers=org.headers("coordinator")).json()["members"]) == 2
    # a member of another person's eco-map is not found through this one
    other_person = person(org)["id"]
    assert (
        org.client.patch(
            f"/support-users/{other_person}/eco-map/members/{member['id']}",
            json={"ring": "inner"},
            headers=org.staff,
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"relation": "enemy"}, "relation"),
        ({"ring": "far"}, "ring"),
        ({"support": ["money"]}, "support"),
        ({"reciprocity": "sometimes"}, "reciprocity"),
        ({"frequency": "hourly"}, "frequency"),
        ({"partner_id": "not-a-partner"}, "partner_id"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    matching: Matching, orgs: list[Org], body: dict[str, Any], field: str
) -> None:
    org = orgs[0]
    pid = person(org)["id"]
    member = add(org, pid).json()
    before = counts(matching)
    response = add(org, pid, **body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["field"]
    patched = org.client.patch(
        f"/support-users/{pid}/eco-map/members/{member['id']}", json=body, headers=org.staff
    )
    assert patched.status_code == 422, patched.text
    assert field in patched.json()["error"]["field"]
    assert counts(matching) == before
    current = org.client.get(f"/support-users/{pid}/eco-map", headers=org.staff).json()
    assert current["members"] == [member]


def test_a_partner_the_organisation_may_not_see_cannot_be_linked(
    matching: Matching, orgs: list[Org]
) -> None:
    org, other = orgs[0], orgs[1]
    pid = person(org)["id"]
    foreign = index_partner(matching, other.id, club("Vieras kerho"))
    shared = index_partner(
        matching,
        other.id,
        club("Jaettu kerho"),
        purposes=("file", "matching", f"organisation:{org.id}"),
    )
    before = counts(matching)
    refused = add(org, pid, partner_id=foreign)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "partner_id"
    assert counts(matching) == before
    assert add(org, pid, partner_id=shared).status_code == 201
