"""Suggestions for a wish through the API: ranking on crafted cases, reasons and the plain
sentence, consent and visibility."""

from typing import Any

from fastapi.testclient import TestClient

from services.matching.runtime import Matching
from tests.matching.conftest import Org, club, index_partner


def support_user(org: Org, **extra: Any) -> dict[str, Any]:
    body = {"name": "Maija Mallikas", "district_code": "00530", "languages": ["fi"], **extra}
    response = org.client.post("/support-users", json=body, headers=org.staff)
    assert response.status_code == 201, response.text
    person = response.json()
    consent = {"purpose": "matching", "action": "granted", "method": "written"}
    assert (
        org.client.post(
            f"/support-users/{person['id']}/consents", json=consent, headers=org.staff
        ).status_code
        == 200
    )
    return person


def wish(org: Org, person: dict[str, Any], text: str, language: str = "fi", **extra: Any) -> str:
    response = org.client.post(
        f"/support-users/{person['id']}/wishes",
        json={"text": text, "language": language, **extra},
        headers=org.staff,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def suggestions(org: Org, wish_id: str) -> list[dict[str, Any]]:
    response = org.client.get(f"/wishes/{wish_id}/suggestions", headers=org.staff)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_same_district_beats_far_away_when_the_words_tie(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    far = index_partner(
        matching, org.id, club("Kokkikerho", "ruoanlaittoa yhdessä"), district="00980"
    )
    near = index_partner(
        matching, org.id, club("Kokkikerho", "ruoanlaittoa yhdessä"), district="00530"
    )
    person = support_user(org)
    found = suggestions(org, wish(org, person, "haluan oppia kokkaamaan"))
    assert [s["partner_id"] for s in found[:2]] == [near, far]
    assert "same_district" in {r["code"] for r in found[0]["reasons"]}
    assert found[0]["explanation"]["en"].startswith("Kokkikerho — close to your home")
    assert "lähellä kotiasi" in found[0]["explanation"]["fi"]


def test_a_partner_only_on_days_the_person_is_busy_drops(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    busy = index_partner(
        matching, org.id, club("Kuoro", "laulamme yhdessä", schedule="maanantaisin 17-19")
    )
    free = index_partner(
        matching, org.id, club("Kuoro", "laulamme yhdessä", schedule="tiistaisin 17-19")
    )
    person = support_user(org, availability=[{"weekday": 2, "start": "16:00", "end": "20:00"}])
    found = suggestions(org, wish(org, person, "haluaisin laulaa kuorossa"))
    assert [s["partner_id"] for s in found[:2]] == [free, busy]
    assert "not_available" in {r["code"] for r in found[1]["reasons"]}
    assert "tiistaisin, kun sinulla on aikaa" in found[0]["explanation"]["fi"]


def test_a_finnish_wish_finds_an_english_described_resource(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    swimming = index_partner(matching, org.id, club("Swimming group", "we swim at the public pool"))
    index_partner(matching, org.id, club("Chess club", "board games and chess"))
    person = support_user(org)
    found = suggestions(org, wish(org, person, "haluan käydä uimassa"))
    assert found and found[0]["partner_id"] == swimming


def test_an_english_wish_finds_a_finnish_described_resource(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    cooking = index_partner(matching, org.id, club("Ruokakerho", "opettelemme ruoanlaittoa"))
    index_partner(matching, org.id, club("Shakkikerho", "shakkia ja lautapelejä"))
    person = support_user(org, languages=["en"])
    found = suggestions(org, wish(org, person, "I want to learn cooking", language="en"))
    assert found and found[0]["partner_id"] == cooking


def test_an_unshared_partner_of_another_organisation_is_never_suggested(
    matching: Matching, orgs: list[Org]
) -> None:
    mine, other = orgs[0], orgs[1]
    index_partner(matching, other.id, club("Neulekerho", "neulomme yhdessä"))
    named = index_partner(
        matching,
        other.id,
        club("Neulekerho", "neulomme yhdessä"),
        purposes=("file", "team", "matching", f"organisation:{mine.id}"),
    )
    person = support_user(mine)
    found = suggestions(mine, wish(mine, person, "haluan oppia neulomaan"))
    assert [s["partner_id"] for s in found] == [named]
    assert found[0]["own_organisation"] is False


def test_suggestions_need_the_support_users_consent(matching: Matching, orgs: list[Org]) -> None:
    org = orgs[0]
    response = org.client.post(
        "/support-users",
        json={"name": "Ei Suostumusta", "district_code": "00530"},
        headers=org.staff,
    )
    person = response.json()
    wish_id = org.client.post(
        f"/support-users/{person['id']}/wishes", json={"text": "haluan uida"}, headers=org.staff
    ).json()["id"]
    refused = org.client.get(f"/wishes/{wish_id}/suggestions", headers=org.staff)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "consent_missing"


def test_fairness_spreads_requests(
    matching_app: TestClient, matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    asked = index_partner(matching, org.id, club("Lenkkiryhmä", "kävelemme yhdessä"))
    other = index_partner(matching, org.id, club("Lenkkiryhmä", "kävelemme yhdessä"))
    person = support_user(org)
    wish_id = wish(org, person, "haluan lenkkeillä")
    first = suggestions(org, wish_id)
    assert {s["partner_id"] for s in first[:2]} == {asked, other}
    resource = next(s["resource_id"] for s in first if s["partner_id"] == asked)
    for _ in range(2):
        created = org.client.post(
            "/referrals", json={"wish_id": wish_id, "resource_id": resource}, headers=org.staff
        )
        assert created.status_code == 201, created.text
    again = suggestions(org, wish_id)
    assert again[0]["partner_id"] == other
    assert "busy" in {r["code"] for r in again[1]["reasons"]}


def test_a_wish_meets_a_partner_through_its_categorys_labels_nearest_first(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    near = index_partner(matching, org.id, club("Tiistain ryhmä"), categories=("P27.1",))
    far = index_partner(
        matching, org.id, club("Tiistain ryhmä"), categories=("P27.1",), district="00980"
    )
    index_partner(matching, org.id, club("Tiistain ryhmä"), categories=("P1",))
    person = support_user(org)
    found = suggestions(org, wish(org, person, "I'd like to do sports", language="en"))
    assert [s["partner_id"] for s in found] == [near, far]
    reasons = {r["code"]: r for r in found[0]["reasons"]}
    assert reasons["category"]["weight"] == 0.15
    assert "words" not in reasons and "same_district" in reasons


def test_a_category_the_worker_picked_brings_in_its_partners(
    matching: Matching, orgs: list[Org]
) -> None:
    org = orgs[0]
    housing = index_partner(matching, org.id, club("Tiistain ryhmä"), categories=("P1",))
    index_partner(matching, org.id, club("Tiistain ryhmä"), categories=("P27.1",))
    person = support_user(org)
    found = suggestions(org, wish(org, person, "haluan jotain", category_codes=["P1"]))
    assert [s["partner_id"] for s in found] == [housing]
    assert "category" in {r["code"] for r in found[0]["reasons"]}
