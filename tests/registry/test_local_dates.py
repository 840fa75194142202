""" "Today" is the date where the organisation works, not where the server runs: an
activity, a consent or a district note of today is accepted and dated so, and tomorrow is
refused, naming the field, and changes nothing.

The two zones are 25 hours apart (UTC+14 and UTC−11): at any hour one of them is on another
date than UTC, so a server that took its own date would fail here whenever the test runs."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from shared.local_time import today_in
from tests.registry.conftest import World, add_partner, consents, organisation_card

ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


@pytest.mark.parametrize("zone", ZONES)
def test_today_is_the_organisations_date(
    client: TestClient, world: World, reference_data: None, zone: str
) -> None:
    staff = world.member(world.organisation("Kaukana", timezone=zone), "staff")
    partner = add_partner(client, staff, organisation_card("Kallion Kuoro"), "file", "team")
    today, tomorrow = today_in(zone), today_in(zone) + timedelta(days=1)

    activities = f"/partners/{partner['id']}/activities"
    logged = client.post(activities, headers=staff.headers, json={"kind": "contact"})
    assert logged.status_code == 201, logged.text
    assert logged.json()["occurred_on"] == today.isoformat()
    ahead = {"kind": "contact", "occurred_on": tomorrow.isoformat()}
    refused = client.post(activities, headers=staff.headers, json=ahead)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "occurred_on"
    assert len(client.get(activities, headers=staff.headers).json()) == 1

    card = client.get(f"/partners/{partner['id']}", headers=staff.headers).json()
    assert card["last_contact_on"] == today.isoformat()
    assert card["card_updated_on"] == today.isoformat()

    grant = f"/partners/{partner['id']}/consents"
    [entry] = consents("newsletter")
    granted = client.post(grant, headers=staff.headers, json=[entry])
    assert granted.status_code == 201, granted.text
    assert granted.json()[0]["obtained_on"] == today.isoformat()
    early = client.post(
        grant, headers=staff.headers, json=[{**entry, "obtained_on": tomorrow.isoformat()}]
    )
    assert early.status_code == 422 and early.json()["error"]["field"] == "body[0].obtained_on"
    lapsed = client.post(
        grant, headers=staff.headers, json=[{**entry, "valid_until": today.isoformat()}]
    )
    assert lapsed.status_code == 422 and lapsed.json()["error"]["field"] == "body[0].valid_until"
    history = client.get(grant, headers=staff.headers).json()
    assert [r["purpose"] for r in history].count("newsletter") == 1

    note = {"district_code": "00530", "question": "Mitä kuuluu?", "answer": "Hyvää"}
    noted = client.post("/district-notes", headers=staff.headers, json=note)
    assert noted.status_code == 201, noted.text
    assert noted.json()["noted_on"] == today.isoformat()
    later = client.post(
        "/district-notes", headers=staff.headers, json={**note, "noted_on": tomorrow.isoformat()}
    )
    assert later.status_code == 422 and later.json()["error"]["field"] == "noted_on"


def test_an_unknown_time_zone_is_refused(client: TestClient, world: World) -> None:
    organisation_id = world.organisation()
    admin = world.member(organisation_id, "admin")
    url = f"/organisations/{organisation_id}"
    wrong = client.patch(url, headers=admin.headers, json={"timezone": "Europe/Espoo"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "timezone"
    assert client.get(url, headers=admin.headers).json()["timezone"] == "Europe/Helsinki"
    moved = client.patch(url, headers=admin.headers, json={"timezone": "Europe/Stockholm"})
    assert moved.status_code == 200 and moved.json()["timezone"] == "Europe/Stockholm"
