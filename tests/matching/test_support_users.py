"""Support users, their consents, wishes and resource check over HTTP: who may see what,
personal words sealed at rest, and bad input that names its field and changes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from services.matching.models import outbox
from services.matching.runtime import Matching
from services.matching.support_users.models import SupportUser
from services.matching.wishes.models import Wish
from tests.dumps import stored_text
from tests.matching.conftest import Org

CANARY = "Qwertyuiop-Mallikas"


def create(org: Org, **body: Any) -> dict[str, Any]:
    response = org.client.post("/support-users", json={"name": CANARY, **body}, headers=org.staff)
    assert response.status_code == 201, response.text
    return dict(response.json())


def counts(matching: Matching) -> tuple[int, int, int]:
    with matching.database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(SupportUser)) or 0,
            session.scalar(select(func.count()).select_from(Wish)) or 0,
            session.scalar(select(func.count()).select_from(outbox)) or 0,
        )


def test_a_support_user_is_kept_sealed_and_read_back(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    person = create(
        org,
        district_code="00530",
        languages=["fi", "en"],
        availability=[{"weekday": 2, "start": "16:00", "end": "20:00"}],
        accessibility=["step_free", "easy_read"],
    )
    assert person["consent"] == {"matching": False, "share_details": False}
    read = org.client.get(f"/support-users/{person['id']}", headers=org.staff).json()
    assert read["name"] == CANARY and read["accessibility"] == ["step_free", "easy_read"]
    with matching.database.session() as session:
        dump = stored_text(session, SupportUser.__table__)
    assert CANARY not in dump and "step_free" not in dump
    listed = org.client.get("/support-users", headers=org.staff).json()
    assert [p["id"] for p in listed] == [person["id"]]


def test_only_the_organisations_workers_and_the_person_see_a_support_user(orgs: list[Org]) -> None:
    org, other = orgs[0], orgs[1]
    person = create(org, account_user_id="account-1")
    url = f"/support-users/{person['id']}"
    assert other.client.get(url, headers=other.staff).status_code == 404
    assert org.client.get(url, headers=org.headers("planner")).status_code == 404
    assert (
        org.client.get(url, headers=org.headers("support_user", user="account-1")).status_code
        == 200
    )
    assert (
        org.client.get(url, headers=org.headers("support_user", user="account-2")).status_code
        == 404
    )
    me = org.client.get("/support-users/me", headers=org.headers("support_user", user="account-1"))
    assert me.json()["id"] == person["id"]
    assert (
        org.client.get(
            "/support-users", headers=org.headers("support_user", user="account-1")
        ).status_code
        == 403
    )
    assert (
        org.client.post(
            "/support-users", json={"name": "X"}, headers=org.headers("planner")
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "district_code": "99999"}, "district_code"),
        ({"name": "A", "languages": ["de"]}, "languages"),
        (
            {"name": "A", "availability": [{"weekday": 8, "start": "10:00", "end": "11:00"}]},
            "availability",
        ),
        (
            {"name": "A", "availability": [{"weekday": 1, "start": "12:00", "end": "11:00"}]},
            "availability",
        ),
        ({"name": "A", "accessibility": ["teleport"]}, "accessibility"),
        ({"name": "A", "shoe_size": 44}, "shoe_size"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    matching: Matching, orgs: list[Org], body: dict[str, Any], field: str
) -> None:
    before = counts(matching)
    response = orgs[0].client.post("/support-users", json=body, headers=orgs[0].staff)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["field"]
    assert counts(matching) == before


def test_consent_history_is_kept_and_the_newest_counts(orgs: list[Org]) -> None:
    org = orgs[0]
    person = create(org)
    url = f"/support-users/{person['id']}/consents"
    for action in ("granted", "withdrawn", "granted"):
        body = {"purpose": "share_details", "action": action, "method": "verbal"}
        assert org.client.post(url, json=body, headers=org.staff).status_code == 200
    state = org.client.get(f"/support-users/{person['id']}", headers=org.staff).json()["consent"]
    assert state == {"matching": False, "share_details": True}
    history = org.client.get(url, headers=org.staff).json()
    assert [h["action"] for h in history] == ["granted", "withdrawn", "granted"]
    # The person may give consent in the portal themselves, but only electronically.
    own = org.headers("support_user", user="me-1")
    person2 = create(org, account_user_id="me-1")
    url2 = f"/support-users/{person2['id']}/consents"
    verbal = {"purpose": "matching", "action": "granted", "method": "verbal"}
    assert org.client.post(url2, json=verbal, headers=own).status_code == 422
    assert (
        org.client.post(url2, json={**verbal, "method": "electronic"}, headers=own).status_code
        == 200
    )


def test_wishes_are_sealed_published_coarsely_and_validated(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    person = create(org, district_code="00530")
    url = f"/support-users/{person['id']}/wishes"
    words = f"haluan oppia kokkaamaan {CANARY}"
    created = org.client.post(
        url, json={"text": words, "method": "my_strengths"}, headers=org.staff
    )
    assert created.status_code == 201, created.text
    wish = created.json()
    assert wish["status"] == "open" and wish["text"] == words
    with matching.database.session() as session:
        dump = stored_text(session, Wish.__table__)
        events = session.execute(select(outbox.c.type, outbox.c.payload)).all()
    assert CANARY not in dump
    assert [e.type for e in events] == ["wish.changed"]
    assert CANARY not in str(events[0].payload) and events[0].payload["district_code"] == "00530"
    before = counts(matching)
    for body, field in (
        ({"text": "x"}, "text"),
        ({"text": "haluan uida", "category_codes": ["NOPE"]}, "category_codes"),
        ({"text": "haluan uida", "priority": 9}, "priority"),
        ({"text": "haluan uida", "method": "guessing"}, "method"),
        ({"text": "haluan uida", "language": "de"}, "language"),
    ):
        response = org.client.post(url, json=body, headers=org.staff)
        assert response.status_code == 422 and field in response.json()["error"]["field"], (
            response.text
        )
    assert counts(matching) == before
    done = org.client.patch(
        f"/wishes/{wish['id']}", json={"status": "fulfilled"}, headers=org.staff
    )
    assert done.json()["status"] == "fulfilled"
    assert orgs[1].client.get(f"/wishes/{wish['id']}", headers=orgs[1].staff).status_code == 404

    # Moving house moves the person's wishes in the planners' demand too.
    moved = org.client.patch(
        f"/support-users/{person['id']}", json={"district_code": "00100"}, headers=org.staff
    )
    assert moved.status_code == 200, moved.text
    with matching.database.session() as session:
        events = session.execute(select(outbox.c.type, outbox.c.payload)).all()
    [republished] = [e.payload for e in events if e.payload["district_code"] == "00100"]
    assert republished["wish_id"] == wish["id"] and republished["status"] == "fulfilled"
    published = len(events)
    org.client.patch(  # the same district again: nothing to republish
        f"/support-users/{person['id']}", json={"district_code": "00100"}, headers=org.staff
    )
    with matching.database.session() as session:
        assert session.scalar(select(func.count()).select_from(outbox)) == published


def test_the_resource_check_lists_what_the_person_brings(orgs: list[Org]) -> None:
    org = orgs[0]
    person = create(org)
    url = f"/support-users/{person['id']}/resource-check"
    for kind, words in (
        ("strength", "olen tarkka"),
        ("possession", "polkupyörä"),
        ("relationship", "sisko Kaisa"),
    ):
        assert (
            org.client.post(url, json={"kind": kind, "text": words}, headers=org.staff).status_code
            == 201
        )
    items = org.client.get(url, headers=org.staff).json()
    assert {(i["kind"], i["text"]) for i in items} == {
        ("strength", "olen tarkka"),
        ("possession", "polkupyörä"),
        ("relationship", "sisko Kaisa"),
    }
    bad = org.client.post(url, json={"kind": "superpower", "text": "lentää"}, headers=org.staff)
    assert bad.status_code == 422 and bad.json()["error"]["field"].endswith("kind")
    removed = org.client.delete(f"{url}/{items[0]['id']}", headers=org.staff)
    assert removed.status_code == 204
    assert len(org.client.get(url, headers=org.staff).json()) == 2
