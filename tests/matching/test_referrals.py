"""Referrals follow a suggestion to its outcome: the allowed steps only, the support
user's consent before their details can reach the partner, and `referral.changed` for the
registry's activity log and the follow-up reminder."""

from typing import Any

from sqlalchemy import func, select

from services.matching.models import outbox
from services.matching.referrals.models import Referral
from services.matching.runtime import Matching
from tests.matching.conftest import Org, club, index_partner
from tests.matching.test_suggestions import support_user, wish


def consent(org: Org, person: dict[str, Any], purpose: str, action: str = "granted") -> None:
    body = {"purpose": purpose, "action": action, "method": "written"}
    assert (
        org.client.post(
            f"/support-users/{person['id']}/consents", json=body, headers=org.staff
        ).status_code
        == 200
    )


def setup_referral(matching: Matching, org: Org) -> tuple[dict[str, Any], str, str]:
    index_partner(matching, org.id, club("Kokkikerho", "ruoanlaittoa"))
    person = support_user(org)
    wish_id = wish(org, person, "haluan kokata")
    found = org.client.get(f"/wishes/{wish_id}/suggestions", headers=org.staff).json()["items"]
    return person, wish_id, found[0]["resource_id"]


def referral_events(matching: Matching) -> list[dict[str, Any]]:
    with matching.database.session() as session:
        rows = session.execute(
            select(outbox.c.payload)
            .where(outbox.c.type == "referral.changed")
            .order_by(outbox.c.created_at)
        ).scalars()
        return list(rows)


def test_a_referral_goes_from_proposal_to_outcome(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    person, wish_id, resource = setup_referral(matching, org)
    body = {
        "wish_id": wish_id,
        "resource_id": resource,
        "follow_up_on": "2026-12-15",
        "note": "soitetaan",
    }
    created = org.client.post("/referrals", json=body, headers=org.staff)
    assert created.status_code == 201, created.text
    referral = created.json()
    assert referral["status"] == "proposed" and referral["steps"][0]["note"] == "soitetaan"
    assert (referral["title"], referral["partner_name"]) == ("Kokkikerho", "Kokkikerho ry")
    assert org.client.get(f"/wishes/{wish_id}", headers=org.staff).json()["status"] == "in_progress"
    url = f"/referrals/{referral['id']}/steps"
    for status in ("contacted", "accepted", "active"):
        response = org.client.post(url, json={"status": status}, headers=org.staff)
        assert response.status_code == 200, response.text
    no_outcome = org.client.post(url, json={"status": "ended"}, headers=org.staff)
    assert no_outcome.status_code == 422 and no_outcome.json()["error"]["field"] == "outcome"
    ended = org.client.post(
        url, json={"status": "ended", "outcome": "wish_fulfilled"}, headers=org.staff
    ).json()
    assert [s["status"] for s in ended["steps"]] == [
        "proposed",
        "contacted",
        "accepted",
        "active",
        "ended",
    ]
    events = referral_events(matching)
    assert [e["status"] for e in events] == ["proposed", "contacted", "accepted", "active", "ended"]
    assert events[0]["follow_up_on"] == "2026-12-15" and events[-1]["outcome"] == "wish_fulfilled"
    assert {e["support_user_id"] for e in events} == {person["id"]}  # where to find it
    assert all(person["name"] not in str(e) for e in events)
    listed = org.client.get(f"/support-users/{person['id']}/referrals", headers=org.staff).json()
    assert [r["id"] for r in listed] == [referral["id"]]


def test_steps_cannot_be_skipped_or_reopened(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    _, wish_id, resource = setup_referral(matching, org)
    referral = org.client.post(
        "/referrals", json={"wish_id": wish_id, "resource_id": resource}, headers=org.staff
    ).json()
    url = f"/referrals/{referral['id']}/steps"
    skipped = org.client.post(url, json={"status": "active"}, headers=org.staff)
    assert skipped.status_code == 422 and skipped.json()["error"]["field"] == "status"
    org.client.post(url, json={"status": "contacted"}, headers=org.staff)
    org.client.post(url, json={"status": "declined"}, headers=org.staff)
    reopened = org.client.post(url, json={"status": "accepted"}, headers=org.staff)
    assert reopened.status_code == 422 and "closed" in reopened.json()["error"]["message"]
    assert len(referral_events(matching)) == 3


def test_details_reach_the_partner_only_with_consent(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    person, wish_id, resource = setup_referral(matching, org)
    body = {"wish_id": wish_id, "resource_id": resource, "share_details": True}
    refused = org.client.post("/referrals", json=body, headers=org.staff)
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "share_details"
    with matching.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0
    consent(org, person, "share_details")
    referral = org.client.post("/referrals", json=body, headers=org.staff).json()
    details = org.client.get(
        f"/referrals/{referral['id']}/shared-details", headers=org.staff
    ).json()
    assert details["name"] == person["name"]
    consent(org, person, "share_details", "withdrawn")
    url = f"/referrals/{referral['id']}/steps"
    assert org.client.post(url, json={"status": "contacted"}, headers=org.staff).status_code == 403
    assert (
        org.client.get(f"/referrals/{referral['id']}/shared-details", headers=org.staff).status_code
        == 403
    )


def test_a_resource_the_organisation_may_not_be_offered_cannot_be_referred(
    matching: Matching, orgs: list[Org]
) -> None:
    org, other = orgs[0], orgs[1]
    _, wish_id, _ = setup_referral(matching, org)
    foreign = index_partner(matching, other.id, club("Salainen kerho"))
    body = {"wish_id": wish_id, "resource_id": f"{foreign}:offer:0"}
    response = org.client.post("/referrals", json=body, headers=org.staff)
    assert response.status_code == 422 and response.json()["error"]["field"] == "resource_id"
    assert (
        other.client.post(
            "/referrals", json={"wish_id": wish_id, "resource_id": "x"}, headers=other.staff
        ).status_code
        == 404
    )


def test_demand_counts_open_wishes_by_district_and_category_with_small_cells_hidden(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    for i in range(6):
        person = support_user(org, name=f"Henkilö {i}", district_code="00530")
        wish(org, person, "haluan liikkua", category_codes=["P1"])
    person = support_user(org, name="Yksin", district_code="00100")
    wish(org, person, "haluan liikkua", category_codes=["P1"])
    planner = org.headers("planner")
    cells = org.client.get("/aggregates/demand", headers=planner).json()["cells"]
    assert {
        "district_code": "00530",
        "category_code": "P1",
        "wishes": 6,
        "suppressed": False,
    } in cells
    assert {
        "district_code": "00100",
        "category_code": "P1",
        "wishes": None,
        "suppressed": True,
    } in cells
    assert org.client.get("/aggregates/demand", headers=org.staff).status_code == 403
    assert org.client.get("/aggregates/demand?k=2", headers=planner).status_code == 422


def wish_events(matching: Matching, wish_id: str) -> list[str]:
    with matching.database.session() as session:
        rows = session.execute(
            select(outbox.c.payload)
            .where(outbox.c.type == "wish.changed")
            .order_by(outbox.c.created_at)
        ).scalars()
        return [p["status"] for p in rows if p["wish_id"] == wish_id]


def test_a_referral_ending_with_the_wish_come_true_fulfils_the_wish(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    fulfilled, fulfilled_resource = setup_referral(matching, org)[1:]
    _, partly, partly_resource = setup_referral(matching, org)
    for wish_id, resource, outcome in (
        (fulfilled, fulfilled_resource, "wish_fulfilled"),
        (partly, partly_resource, "partly"),
    ):
        referral = org.client.post(
            "/referrals", json={"wish_id": wish_id, "resource_id": resource}, headers=org.staff
        ).json()
        ended = org.client.post(
            f"/referrals/{referral['id']}/steps",
            json={"status": "ended", "outcome": outcome},
            headers=org.staff,
        )
        assert ended.status_code == 200, ended.text
    assert org.client.get(f"/wishes/{fulfilled}", headers=org.staff).json()["status"] == (
        "fulfilled"
    )
    # The planners' demand figures learn it: the wish is no longer open.
    assert wish_events(matching, fulfilled)[-1] == "fulfilled"
    # Any other outcome leaves the wish as it was, for the worker to decide.
    assert org.client.get(f"/wishes/{partly}", headers=org.staff).json()["status"] == (
        "in_progress"
    )
    assert "fulfilled" not in wish_events(matching, partly)
