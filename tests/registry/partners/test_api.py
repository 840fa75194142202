"""Partners and their cards over HTTP: create, read, change, log, export and erase."""

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.registry.consent.models import ConsentRecord
from services.registry.models import outbox
from services.registry.partners.models import Partner
from services.registry.runtime import Registry
from shared.crypto import SubjectShredded
from tests.dumps import stored_text
from tests.registry.conftest import World, add_partner, citizen_card, consents, organisation_card


def counts(registry: Registry) -> tuple[int, int, int]:
    with registry.database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Partner)) or 0,
            session.scalar(select(func.count()).select_from(ConsentRecord)) or 0,
            session.scalar(select(func.count()).select_from(outbox)) or 0,
        )


def test_an_organisation_card_is_kept_whole_and_encrypted(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    created = add_partner(
        client,
        staff,
        organisation_card("Kallion Kokkikerho ry", target_group="everyone"),
        "file",
        "team",
        tie_strength="strong",
    )
    assert created["status"] == "active" and created["view"] == "full"
    assert created["card"]["offers"][0]["schedule"] == "Tuesdays 17-19"
    assert created["card"]["contact"]["phone"] == "+358401234567"
    assert {c["purpose"] for c in created["consents"]} == {"file", "team"}
    with registry.database.session() as session:
        dump = stored_text(session, Partner.__table__)
    assert "Kokkikerho" not in dump and "kallion" not in dump.lower() and "358401234567" not in dump


def test_bad_cards_name_the_field_and_write_nothing(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    before = counts(registry)
    cases = {
        "card.name": {**organisation_card("x"), "name": ""},
        "card.contact.email": organisation_card("Bad Email", contact={"email": "nope"}),
        "card.contact.phone": organisation_card("Bad Phone", contact={"phone": "12"}),
        "card.unknown": organisation_card("Extra", unknown="field"),
    }
    for field, card in cases.items():
        response = client.post(
            "/partners",
            headers=staff.headers,
            json={"kind": "organisation", "card": card, "consents": consents("file")},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    birthday = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "citizen",
            "card": citizen_card("Future", birthday="2999-01-01"),
            "consents": consents("file"),
        },
    )
    assert birthday.json()["error"]["field"] == "card.birthday"
    no_file = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "organisation",
            "card": organisation_card("No File"),
            "consents": consents("team"),
        },
    )
    assert no_file.status_code == 422
    assert no_file.json()["error"]["field"] == "consents[0].purpose"
    responsible = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "organisation",
            "card": organisation_card("Who"),
            "consents": consents("file"),
            "responsible_user_id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert responsible.json()["error"]["field"] == "responsible_user_id"
    assert counts(registry) == before


def test_every_wrong_field_is_named_at_once_and_nothing_is_written(
    client: TestClient, world: World, registry: Registry
) -> None:
    staff = world.member(world.organisation(), "staff")
    before = counts(registry)
    card = citizen_card(
        "",
        contact={"email": "nope", "phone": "12"},
        availability=[{"weekday": 9, "start": "18:00", "end": "17:00"}],
    )
    response = client.post(
        "/partners",
        headers=staff.headers,
        json={
            "kind": "citizen",
            "card": card,
            "district_code": "99999",
            "category_codes": ["nope"],
            "consents": consents("team"),
            "responsible_user_id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    fields = [detail["field"] for detail in error["details"]]
    assert error["field"] == fields[0]
    assert {
        "card.name",
        "card.contact.email",
        "card.contact.phone",
        "card.availability.0.weekday",
        "district_code",
        "category_codes[0]",
        "responsible_user_id",
        "consents[0].purpose",
    } <= set(fields), fields
    assert all(detail["message"] for detail in error["details"])
    assert counts(registry) == before
    # A change names every wrong field at once too, and changes nothing.
    partner = add_partner(client, staff, organisation_card("Kept"), "file", "team")
    before = counts(registry)
    changed = client.patch(
        f"/partners/{partner['id']}",
        headers=staff.headers,
        json={"card": {"name": "", "contact": {"email": "nope"}}, "district_code": "99999"},
    )
    assert changed.status_code == 422
    fields = [detail["field"] for detail in changed.json()["error"]["details"]]
    assert {"card.name", "card.contact.email", "district_code"} <= set(fields), fields
    assert counts(registry) == before
    kept = client.get(f"/partners/{partner['id']}", headers=staff.headers).json()
    assert kept["name"] == "Kept" and kept["district_code"] is None


def test_a_partner_without_file_consent_keeps_only_a_name_and_a_way_to_ask(
    client: TestClient, world: World
) -> None:
    staff = world.member(world.organisation(), "staff")
    too_much = client.post(
        "/partners",
        headers=staff.headers,
        json={"kind": "citizen", "card": citizen_card("Pia Pending")},
    )
    assert too_much.status_code == 422 and too_much.json()["error"]["field"] == "consents"
    pending = add_partner(
        client, staff, {"name": "Pia Pending", "contact": {"phone": "0401112222"}}, kind="citizen"
    )
    assert pending["status"] == "pending" and pending["purge_after"]
    assert pending["card"] == {
        "name": "Pia Pending",
        "contact": {"email": None, "phone": "+358401112222"},
    }
    log = client.post(
        f"/partners/{pending['id']}/activities", headers=staff.headers, json={"kind": "contact"}
    )
    assert log.status_code == 422
    granted = client.post(
        f"/partners/{pending['id']}/consents", headers=staff.headers, json=consents("file", "team")
    )
    assert granted.status_code == 201
    now = client.get(f"/partners/{pending['id']}", headers=staff.headers).json()
    assert now["status"] == "active" and now["purge_after"] is None


def test_a_possible_duplicate_is_pointed_out(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    first = add_partner(
        client,
        staff,
        citizen_card("Matti Meikäläinen", contact={"email": "matti@example.fi"}),
        "file",
        kind="citizen",
    )
    by_email = add_partner(
        client,
        staff,
        citizen_card("M. M.", contact={"email": " Matti@Example.FI"}),
        "file",
        kind="citizen",
    )
    by_name = add_partner(
        client,
        staff,
        citizen_card("matti meikalainen", contact={"email": "other@example.fi"}),
        "file",
        kind="citizen",
    )
    other = add_partner(
        client,
        staff,
        citizen_card("Liisa Virtanen", contact={"email": "liisa@example.fi"}),
        "file",
        kind="citizen",
    )
    assert by_email["possible_duplicates"] == [first["id"]]
    assert first["id"] in by_name["possible_duplicates"]
    assert other["possible_duplicates"] == []


def test_logging_an_activity_updates_last_contact(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(client, staff, organisation_card("Seurakunta"), "file", "team")
    assert partner["last_contact_on"] is None
    url = f"/partners/{partner['id']}/activities"
    client.post(
        url,
        headers=staff.headers,
        json={
            "kind": "meeting",
            "occurred_on": "2026-01-10",
            "content": "met the deacon",
            "outcome": "joins in spring",
        },
    )
    client.post(url, headers=staff.headers, json={"kind": "contact", "occurred_on": "2025-12-01"})
    assert (
        client.get(f"/partners/{partner['id']}", headers=staff.headers).json()["last_contact_on"]
        == "2026-01-10"
    )
    logged = client.get(url, headers=staff.headers).json()
    assert [a["kind"] for a in logged] == ["meeting", "contact"]
    assert logged[0]["outcome"] == "joins in spring"
    future = client.post(
        url, headers=staff.headers, json={"kind": "contact", "occurred_on": "2999-01-01"}
    )
    assert future.status_code == 422 and future.json()["error"]["field"] == "occurred_on"


def test_competence_cards_and_contributions_belong_to_citizens(
    client: TestClient, world: World
) -> None:
    staff = world.member(world.organisation(), "staff")
    citizen = add_partner(
        client, staff, citizen_card("Aili Leipuri"), "file", "team", kind="citizen"
    )
    card = client.post(
        f"/partners/{citizen['id']}/competence-cards",
        headers=staff.headers,
        json={
            "kind": "competence",
            "domain": "cooking",
            "title": "Leipominen",
            "description": "Bakes rye bread",
            "preferences": "mornings, small groups",
        },
    )
    assert card.status_code == 201
    shown = client.get(f"/partners/{citizen['id']}", headers=staff.headers).json()
    assert shown["competence_cards"][0]["preferences"] == "mornings, small groups"
    given = client.post(
        f"/partners/{citizen['id']}/contributions",
        headers=staff.headers,
        json={"how": "baked for the summer party", "where": "Kallio library"},
    )
    assert given.status_code == 201
    organisation = add_partner(client, staff, organisation_card("Kirjasto"), "file")
    wrong = client.post(
        f"/partners/{organisation['id']}/competence-cards",
        headers=staff.headers,
        json={"kind": "strength", "domain": "arts", "title": "x"},
    )
    assert wrong.status_code == 422


def test_changing_a_card_reindexes_it(client: TestClient, world: World) -> None:
    staff = world.member(world.organisation(), "staff")
    partner = add_partner(client, staff, organisation_card("Vanha Nimi"), "file", "team")
    changed = client.patch(
        f"/partners/{partner['id']}",
        headers=staff.headers,
        json={"card": organisation_card("Uusi Nimi"), "tie_strength": "strong"},
    )
    assert changed.status_code == 200
    assert changed.json()["tie_strength"] == "strong"

    def names(query: str) -> list[str]:
        found = client.get("/partners", headers=staff.headers, params={"name": query}).json()
        return [p["name"] for p in found["items"]]

    assert names("uusi") == ["Uusi Nimi"]
    assert names("vanha") == []


def test_export_holds_everything_and_erasure_shreds(
    client: TestClient, world: World, registry: Registry
) -> None:
    org = world.organisation()
    staff = world.member(org, "staff")
    partner = add_partner(
        client, staff, citizen_card("Erkki Erase"), "file", "team", kind="citizen"
    )
    pid = partner["id"]
    client.post(
        f"/partners/{pid}/activities",
        headers=staff.headers,
        json={"kind": "contact", "content": "called"},
    )
    exported = client.get(f"/partners/{pid}/export", headers=staff.headers)
    assert exported.status_code == 200
    body = exported.json()
    assert body["partner"]["card"]["birthday"] == "1980-05-17"
    assert body["activities"][0]["content"] == "called"
    assert [r["purpose"] for r in body["consent_history"]] == ["file", "team"]
    assert body["access_log"][0]["action"] == "export"
    with registry.database.session() as session:
        blob = session.scalar(select(Partner.card_encrypted).where(Partner.id == pid))
    other_staff = world.member(org, "staff")
    assert client.delete(f"/partners/{pid}", headers=other_staff.headers).status_code == 403
    assert client.delete(f"/partners/{pid}", headers=staff.headers).status_code == 204
    assert client.get(f"/partners/{pid}", headers=staff.headers).status_code == 404
    with registry.database.session() as session:
        try:
            registry.keyring.decrypt(
                session, table="partners", row_id=pid, column="document", blob=blob
            )
            raise AssertionError("a shredded partner's card still decrypts")
        except SubjectShredded:
            pass
        events = [
            row.type
            for row in session.execute(select(outbox.c.type, outbox.c.payload))
            if pid in json.dumps(row.payload)
        ]
    assert "partner.forgotten" in events
