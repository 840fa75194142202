"""Exports: CSV and XLSX of the partners a caller may see, vCards, and the access log entry
each exported partner leaves."""

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
import vobject
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from services.registry.runtime import Registry
from tests.registry.conftest import World
from tests.registry.transfer.conftest import (
    CONSENT_BATCH,
    Staff,
    access_entries,
    counts,
    create_partner,
    shared_pool,
    upload,
)
from tests.registry.transfer.test_imports import GOOD_CSV

pytestmark = pytest.mark.usefixtures("reference_data")


def read_csv(response: Any, delimiter: str = ";") -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter)
    )


def imported(client: TestClient, org: Staff) -> dict[int, str]:
    response = upload(
        client, org.staff, GOOD_CSV.encode("utf-8-sig"), dry_run=False, **CONSENT_BATCH
    )
    assert response.status_code == 201, response.text
    return {r["row"]: r["partner_id"] for r in response.json()["rows"]}


def test_the_csv_export_holds_what_was_imported_and_reads_back(
    client: TestClient, org: Staff, world: World, registry: Registry
) -> None:
    ids = imported(client, org)
    rows = read_csv(client.get("/exports/partners.csv?status=any", headers=org.staff.headers))
    by_name = {r["Nimi"]: r for r in rows}
    assert set(by_name) == {"Kallion Kokkikerho ry", "Åke Öljymäki", "Maija Meikäläinen"}
    club = by_name["Kallion Kokkikerho ry"]
    assert club["Tunniste"] == ids[2]
    assert (club["Tyyppi"], club["Näkymä"], club["Suhde"]) == ("organisaatio", "kaikki", "vahva")
    assert (club["Sähköposti"], club["Puhelin"]) == ("kokit@example.org", "+358 40 1234567")
    assert (club["Postinumero"], club["Luokat"]) == ("00530", "P1; P1.1")
    assert club["Tarjonta"] == "Kokkikerho | Kokataan yhdessä | tiistaisin 17-19; Leivontailta"
    assert club["Muistiinpanot"] == "Tavattu\nkirjastossa"
    assert (club["Suostumus: kortisto"], club["Suostumus: tiimi"]) == ("kyllä", "kyllä")
    assert by_name["Åke Öljymäki"]["Syntymäpäivä"] == "17.5.1980"
    assert by_name["Maija Meikäläinen"]["Tila"] == "odottaa suostumusta"

    exports = [
        e for e in access_entries(registry, org.staff.organisation_id) if e.action == "export"
    ]
    assert sorted(e.partner_id for e in exports) == sorted(ids.values())
    assert {(e.basis, e.reader_organisation_id) for e in exports} == {
        ("owner", org.staff.organisation_id)
    }

    # The export is an import file: another organisation reads it back field for field.
    other = world.member(world.organisation("Toinen ry"), "staff")
    english = client.get("/exports/partners.csv?lang=en&status=any", headers=org.staff.headers)
    again = upload(client, other, english.content, "export.csv", dry_run=False, **CONSENT_BATCH)
    assert again.status_code == 201, again.text
    assert again.json()["delimiter"] == ","
    copy = read_csv(client.get("/exports/partners.csv?status=any", headers=other.headers))
    skip = {"Tunniste", "Omistaja", "Kortti päivitetty"}
    assert [
        {k: v for k, v in r.items() if k not in skip} for r in sorted(copy, key=lambda r: r["Nimi"])
    ] == [
        {k: v for k, v in r.items() if k not in skip} for r in sorted(rows, key=lambda r: r["Nimi"])
    ]


def test_pooled_partners_are_exported_with_their_shared_fields_only(
    client: TestClient, world: World, registry: Registry
) -> None:
    a_org, b_org = world.organisation("Org A"), world.organisation("Org B")
    a_admin, b_admin = world.member(a_org, "admin"), world.member(b_org, "admin")
    a_staff, b_staff = world.member(a_org, "staff"), world.member(b_org, "staff")
    pool = shared_pool(client, a_admin, b_admin)
    card = {
        "name": "Pasilan Puutarhurit",
        "contact": {"email": "puutarha@example.org", "phone": "0401234567"},
        "offers": [{"title": "Palstaviljely"}],
        "notes": "only for B",
        "resources_needed": ["siemeniä"],
    }
    basic = create_partner(client, b_staff, card, "file", "team", f"pool:{pool}", scope="basic")
    contact = create_partner(
        client, b_staff, {**card, "name": "Vallilan Viljelijät"}, "file", f"pool:{pool}",
        scope="contact", district_code="00550", category_codes=["P1"],
    )  # fmt: skip
    hidden = create_partner(client, b_staff, {**card, "name": "Oma Salaisuus"}, "file", "team")
    mine = create_partner(client, a_staff, {**card, "name": "A:n Oma"}, "file", "team")

    own_only = read_csv(client.get("/exports/partners.csv?lang=en", headers=a_staff.headers), ",")
    assert [r["Name"] for r in own_only] == ["A:n Oma"]

    rows = read_csv(
        client.get("/exports/partners.csv?lang=en&scope=all", headers=a_staff.headers), ","
    )
    by_name = {r["Name"]: r for r in rows}
    assert set(by_name) == {"A:n Oma", "Pasilan Puutarhurit", "Vallilan Viljelijät"}
    shared_basic = by_name["Pasilan Puutarhurit"]
    assert (shared_basic["Owner"], shared_basic["View"]) == ("Org B", "basic")
    assert (shared_basic["Offers"], shared_basic["Resources needed"]) == (
        "Palstaviljely",
        "siemeniä",
    )
    assert shared_basic["Email"] == shared_basic["Phone"] == shared_basic["Notes"] == ""
    assert shared_basic["Consent: file"] == ""  # B's consent records are B's business
    shared_contact = by_name["Vallilan Viljelijät"]
    assert (shared_contact["View"], shared_contact["Email"]) == ("contact", "puutarha@example.org")
    assert (shared_contact["District"], shared_contact["Categories"]) == ("00550", "P1")
    assert shared_contact["Notes"] == ""
    assert by_name["A:n Oma"]["Notes"] == "only for B"

    b_log = [e for e in access_entries(registry, b_org) if e.action == "export"]
    assert sorted((e.partner_id, e.reader_organisation_id, e.basis) for e in b_log) == sorted(
        [(basic["id"], a_org, f"pool:{pool}"), (contact["id"], a_org, f"pool:{pool}")]
    )
    hsds = client.get("/exports/hsds.json?scope=shared", headers=a_staff.headers).json()
    organizations = {o["name"]: o for o in hsds["contents"]}
    assert set(organizations) == {"Pasilan Puutarhurit", "Vallilan Viljelijät"}
    assert "email" not in organizations["Pasilan Puutarhurit"]
    assert organizations["Pasilan Puutarhurit"]["phones"] == []
    assert organizations["Pasilan Puutarhurit"]["services"][0]["name"] == "Palstaviljely"
    assert organizations["Vallilan Viljelijät"]["email"] == "puutarha@example.org"
    b_log = [e for e in access_entries(registry, b_org) if e.action == "export"]
    assert len(b_log) == 4
    assert hidden["id"] not in {e.partner_id for e in b_log}
    a_log = [e for e in access_entries(registry, a_org) if e.action == "export"]
    assert [e.partner_id for e in a_log] == [mine["id"], mine["id"]]  # two exports
    listed = client.get("/access-log", headers=b_admin.headers).json()
    assert {e["action"] for e in listed} >= {"export"}


def test_the_xlsx_export_keeps_text_as_text(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    ids = imported(client, org)
    trap = create_partner(
        client, org.staff, {"name": "=HYPERLINK(\"http://evil.example\",\"click\")",
                            "contact": {"email": "trap@example.org"}}, "file",
    )  # fmt: skip
    response = client.get("/exports/partners.xlsx?lang=en", headers=org.staff.headers)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="partners.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert headers[:6] == ["ID", "Owner", "View", "Status", "Kind", "Name"]
    by_id = {r[0]: dict(zip(headers, r, strict=True)) for r in rows[1:]}
    assert set(by_id) == {ids[2], ids[3], trap["id"]}  # active partners by default
    ake = by_id[ids[3]]
    assert isinstance(ake["Birthday"], datetime) and ake["Birthday"].date() == date(1980, 5, 17)
    assert ake["Skills"] == "leivonta; neulonta"
    trap_cell = next(c for c in sheet.iter_rows(min_row=2) if c[0].value == trap["id"])[5]
    assert trap_cell.data_type == "s" and str(trap_cell.value).startswith("=HYPERLINK")
    csv_rows = read_csv(client.get("/exports/partners.csv?lang=en", headers=org.staff.headers), ",")
    assert {r["Name"] for r in csv_rows} >= {'\'=HYPERLINK("http://evil.example","click")'}
    assert (
        len(
            [e for e in access_entries(registry, org.staff.organisation_id) if e.action == "export"]
        )
        == 6
    )


def test_an_export_pages_through_every_partner(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    lines = "".join(f"Kumppani {n:03};organisaatio;k{n}@example.org;kyllä\n" for n in range(230))
    content = ("Nimi;Tyyppi;Sähköposti;Suostumus: kortisto\n" + lines).encode()
    assert upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH).status_code == 201
    before = counts(registry)
    rows = read_csv(client.get("/exports/partners.csv", headers=org.staff.headers))
    assert sorted(r["Nimi"] for r in rows) == [f"Kumppani {n:03}" for n in range(230)]
    assert counts(registry).access_entries == before.access_entries + 230
    filtered = read_csv(
        client.get("/exports/partners.csv?name=kumppani%20007", headers=org.staff.headers)
    )
    assert [r["Nimi"] for r in filtered] == ["Kumppani 007"]
    bad = client.get("/exports/partners.csv?email=not-an-email", headers=org.staff.headers)
    assert bad.status_code == 422  # answered before any of the file is sent


def test_a_vcard_shows_what_the_caller_may_see(
    client: TestClient, world: World, registry: Registry
) -> None:
    a_org, b_org = world.organisation("Org A"), world.organisation("Org B")
    a_admin, b_admin = world.member(a_org, "admin"), world.member(b_org, "admin")
    a_staff, b_staff = world.member(a_org, "staff"), world.member(b_org, "staff")
    pool = shared_pool(client, a_admin, b_admin)
    citizen = create_partner(
        client, a_staff,
        {"name": "Åke Öljymäki", "contact": {"email": "ake@example.org", "phone": "0509876543",
                                             "address": "Mäkelänkatu 5"},
         "birthday": "1980-05-17", "skills": ["leivonta"], "notes": "secret"},
        "file", kind="citizen", district_code="00550", category_codes=["P1"],
    )  # fmt: skip
    response = client.get(f"/partners/{citizen['id']}/vcard", headers=a_staff.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    card = vobject.readOne(response.text)
    assert card.version.value == "4.0" and card.kind.value == "individual"
    assert card.fn.value == "Åke Öljymäki"
    assert (card.n.value.given, card.n.value.family) == ("Åke", "Öljymäki")
    assert card.email.value == "ake@example.org"
    assert card.tel.value == "tel:+358509876543"
    assert card.bday.value == "19800517"
    assert card.adr.value.street == "Mäkelänkatu 5" and card.adr.value.code == "00550"
    assert card.categories.value == ["P1"]
    assert card.uid.value == f"urn:uuid:{citizen['id']}"
    assert "secret" not in response.text

    shared = create_partner(
        client, b_staff,
        {"name": "Pasilan Puutarhurit", "contact_person": "Pirjo",
         "contact": {"email": "p@example.org", "phone": "0401234567"}},
        "file", f"pool:{pool}", scope="basic",
    )  # fmt: skip
    foreign = client.get(f"/partners/{shared['id']}/vcard", headers=a_staff.headers)
    assert foreign.status_code == 200
    foreign_card = vobject.readOne(foreign.text)
    assert foreign_card.fn.value == "Pasilan Puutarhurit" and foreign_card.kind.value == "org"
    assert not {"email", "tel", "related"} & set(foreign_card.contents)

    assert [e.basis for e in access_entries(registry, a_org) if e.action == "export"] == ["owner"]
    b_log = [e for e in access_entries(registry, b_org) if e.action == "export"]
    assert [(e.partner_id, e.basis) for e in b_log] == [(shared["id"], f"pool:{pool}")]

    hidden = create_partner(client, b_staff, {"name": "Ei jaettu"}, "file")
    assert client.get(f"/partners/{hidden['id']}/vcard", headers=a_staff.headers).status_code == 404
    planner = world.member(a_org, "planner")
    assert (
        client.get(f"/partners/{citizen['id']}/vcard", headers=planner.headers).status_code == 403
    )


def test_only_staff_coordinators_and_admins_export(client: TestClient, world: World) -> None:
    organisation = world.organisation()
    for role in ("planner", "support_user"):
        member = world.member(organisation, role)
        for path in ("/exports/partners.csv", "/exports/partners.xlsx", "/exports/hsds.json"):
            assert client.get(path, headers=member.headers).status_code == 403, (role, path)
    coordinator = world.member(organisation, "coordinator")
    assert client.get("/exports/partners.csv", headers=coordinator.headers).status_code == 200
    assert client.get("/exports/partners.csv").status_code == 401
