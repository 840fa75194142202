"""Importing the spreadsheet a staff member kept: CSV and XLSX, a row-by-row report, a dry
run by default and an all-or-nothing commit."""

import io
import random
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import text

from services.registry.runtime import Registry
from shared.database import Database
from tests.registry.conftest import World
from tests.registry.transfer.conftest import (
    CONSENT_BATCH,
    Staff,
    counts,
    errors_of,
    rows_by_number,
    shared_pool,
    upload,
)

pytestmark = pytest.mark.usefixtures("reference_data")

OHANA = Path(__file__).parents[4] / "shared" / "data" / "ohana-sample-csv"

# As Finnish Excel saves "CSV UTF-8": a byte order mark, ';' between cells, quotes where a
# cell holds ';' or a line break.
GOOD_CSV = (
    "Tyyppi;Nimi;Sähköposti;Puhelin;Osoite;Postinumero;Luokat;Suhde;Kohderyhmä;Tarjonta;"
    "Syntymäpäivä;Taidot;Muistiinpanot;Suostumus: kortisto;Suostumus: tiimi\r\n"
    "organisaatio;Kallion Kokkikerho ry;kokit@example.org;040 123 4567;Helsinginkatu 1;00530;"
    '"P1;P1.1";vahva;Kaikki asukkaat;"Kokkikerho | Kokataan yhdessä | tiistaisin 17-19; '
    'Leivontailta";;;"Tavattu\nkirjastossa";kyllä;kyllä\r\n'
    "kansalainen;Åke Öljymäki;ake@example.org;+358 50 987 6543;;00100;;heikko;;;17.5.1980;"
    '"leivonta; neulonta";;kyllä;ei\r\n'
    "kansalainen;Maija Meikäläinen;;0401112222;;;;;;;;kutominen;;ei;ei\r\n"
)


def test_a_finnish_excel_csv_is_checked_then_written(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    content = GOOD_CSV.encode("utf-8-sig")
    before = counts(registry)

    dry = upload(client, org.staff, content, **CONSENT_BATCH)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["status"], report["dry_run"], report["committed"]) == ("ok", True, False), report
    assert (report["encoding"], report["delimiter"]) == ("utf-8-sig", ";")
    assert {c["column"]: c["field"] for c in report["columns"]}["Sähköposti"] == "email"
    # Rows as a spreadsheet numbers them: a cell with a line break stays in its row.
    assert [r["row"] for r in report["rows"]] == [2, 3, 4]
    assert report["summary"] == {"rows": 3, "ok": 3, "failed": 0, "with_warnings": 1, "written": 0}
    pending = rows_by_number(report)[4]
    assert [w["code"] for w in pending["warnings"]] == ["kept_pending"]
    assert counts(registry) == before

    done = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert done.status_code == 201, done.text
    written = done.json()
    assert written["committed"] is True and written["summary"]["written"] == 3
    ids = {r["row"]: r["partner_id"] for r in written["rows"]}
    after = counts(registry)
    assert after.partners == before.partners + 3
    assert after.consent_records == before.consent_records + 3  # file+team, file, none

    club = client.get(f"/partners/{ids[2]}", headers=org.staff.headers).json()
    assert club["kind"] == "organisation" and club["status"] == "active"
    assert club["card"]["contact"] == {
        "email": "kokit@example.org",
        "phone": "+358401234567",
        "address": "Helsinginkatu 1",
        "website": "",
    }
    assert club["card"]["offers"] == [
        {"title": "Kokkikerho", "description": "Kokataan yhdessä", "schedule": "tiistaisin 17-19"},
        {"title": "Leivontailta", "description": "", "schedule": ""},
    ]
    assert club["card"]["notes"] == "Tavattu\nkirjastossa"
    assert (club["district_code"], club["category_codes"]) == ("00530", ["P1", "P1.1"])
    assert club["tie_strength"] == "strong"
    assert {c["purpose"] for c in club["consents"]} == {"file", "team"}
    history = client.get(f"/partners/{ids[2]}/consents", headers=org.staff.headers).json()
    assert {(h["method"], h["information_version"]) for h in history} == {("written", "v2")}

    ake = client.get(f"/partners/{ids[3]}", headers=org.staff.headers).json()
    assert ake["card"]["name"] == "Åke Öljymäki"
    assert ake["card"]["birthday"] == "1980-05-17"
    assert ake["card"]["skills"] == ["leivonta", "neulonta"]
    assert ake["card"]["contact"]["phone"] == "+358509876543"

    maija = client.get(f"/partners/{ids[4]}", headers=org.staff.headers).json()
    assert maija["status"] == "pending"
    assert maija["card"] == {
        "name": "Maija Meikäläinen",
        "contact": {"email": None, "phone": "+358401112222"},
    }


def test_an_xlsx_made_in_excel_is_read_with_its_numbers_and_dates(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Kind", "Email", "Phone", "Postal code", "Birthday", "Consent file"])
    # Excel keeps a typed 00530 as the number 530 and a phone as a number without its 0.
    sheet.append(["Liisa Virtanen", "citizen", "liisa@example.org", 401234567, 530,
                  datetime(1975, 3, 4), "yes"])  # fmt: skip
    sheet.append(["Kirjasto", "organisation", "kirjasto@example.org", "09 310 85000", "00100",
                  None, "x"])  # fmt: skip
    workbook.create_sheet("Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)

    done = upload(
        client, org.staff, buffer.getvalue(), "contacts.xlsx", dry_run=False, **CONSENT_BATCH
    )
    assert done.status_code == 201, done.text
    report = done.json()
    assert report["format"] == "xlsx"
    assert [i["code"] for i in report["file_issues"]] == ["other_sheets_ignored"]
    liisa_row = rows_by_number(report)[2]
    assert liisa_row["warnings"] == []
    liisa = client.get(f"/partners/{liisa_row['partner_id']}", headers=org.staff.headers).json()
    assert liisa["district_code"] == "00530"
    assert liisa["card"]["birthday"] == "1975-03-04"
    assert liisa["card"]["contact"]["phone"] == "+358401234567"
    assert counts(registry).partners == 2


def test_bad_rows_are_each_reported_and_nothing_is_written(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    content = (
        b"Name,Kind,Email,Phone,District,Birthday,Categories,Consent: file\n"
        b"Good Person,citizen,good@example.org,0401234567,00100,1.2.1990,P1,yes\n"
        b"Bad Email,citizen,not-an-email,,,,,yes\n"
        b"Bad Phone,citizen,,12,,,,yes\n"
        b"Unknown District,citizen,u@example.org,,99999,,,yes\n"
        b"Bad Date,citizen,d@example.org,,,31.2.1990,,yes\n"
        b",citizen,nameless@example.org,,,,,yes\n"
        b"Future Birthday,citizen,f@example.org,,,1.1.2999,,yes\n"
        b"Many Problems,robot,bad@,,00000,someday,NOPE,maybe\n"
        b"Lost Zeros,citizen,z@example.org,,530,,,yes\n"
        b"Three Problems,citizen,bad@,,00000,someday,,yes\n"
    )
    before = counts(registry)

    dry = upload(client, org.staff, content, **CONSENT_BATCH)
    assert dry.status_code == 200
    report = dry.json()
    assert report["status"] == "failed" and report["summary"]["failed"] == 8
    assert report["summary"]["ok"] == 2
    rows = rows_by_number(report)
    assert rows[2]["status"] == "ok"
    assert errors_of(rows[3]) == {"email": "invalid_email"}
    assert errors_of(rows[4]) == {"phone": "invalid_phone"}
    assert errors_of(rows[5]) == {"district": "unknown_district"}
    assert errors_of(rows[6]) == {"birthday": "invalid_date"}
    assert errors_of(rows[7]) == {"name": "required"}
    assert errors_of(rows[8]) == {"birthday": "date_in_future"}
    assert errors_of(rows[9]) == {
        "kind": "invalid_value",
        "birthday": "invalid_date",
        "consent_file": "invalid_value",
    }
    assert errors_of(rows[11]) == {
        "email": "invalid_email",
        "district": "unknown_district",
        "birthday": "invalid_date",
    }
    assert rows[10]["status"] == "ok"
    assert [w["code"] for w in rows[10]["warnings"]] == ["district_zero_padded"]
    email_error = rows[3]["errors"][0]
    assert email_error["column"] == "Email" and "@" in email_error["message"]
    assert rows[4]["errors"][0]["message"].startswith("not a valid phone number")

    committed = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert committed.status_code == 422
    body = committed.json()
    assert body["error"]["code"] == "import_failed"
    assert body["error"]["message"] == "8 of 10 rows have errors; nothing was written"
    assert body["report"]["committed"] is False
    assert all(r["partner_id"] is None for r in body["report"]["rows"])
    assert counts(registry) == before


def test_a_row_that_fails_on_create_rolls_back_the_rows_before_it(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    """The last row passes the checks of its cells but not create_partner: a pending
    partner needs a way to ask for consent. The rows before it were already created inside
    the transaction; they go too."""
    content = (
        "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto\n"
        "Eka Rivi;kansalainen;eka@example.org;kyllä\n"
        "Toka Rivi;kansalainen;toka@example.org;kyllä\n"
        "Ei Yhteystietoja;kansalainen;;ei\n"
    ).encode()
    before = counts(registry)
    response = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert response.status_code == 422
    rows = rows_by_number(response.json()["report"])
    assert [rows[n]["status"] for n in (2, 3, 4)] == ["ok", "ok", "error"]
    assert errors_of(rows[4]) == {"email": "no_way_to_ask"}
    assert counts(registry) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (GOOD_CSV.encode("utf-16"), "UTF-16"),
        (random.Random(7).randbytes(4096), "binary"),
        ("Имя;Почта\nПривет мир;privet@example.org\n".encode("cp1251"), "not UTF-8"),
    ],
    ids=["utf-16", "random-bytes", "cp1251"],
)
def test_a_file_in_another_encoding_is_refused_clearly(
    client: TestClient, org: Staff, registry: Registry, content: bytes, words: str
) -> None:
    before = counts(registry)
    response = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("encoding_unsupported", "file")
    assert words in error["message"] and "CSV UTF-8" in error["message"]
    assert response.json()["report"]["rows"] == []
    assert counts(registry) == before


def test_a_windows_1252_file_is_read_with_a_warning(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    content = (
        "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto\n"
        "Käpylän Äijät ry;organisaatio;aijat@example.org;kyllä\n"
        "Åström Ölund;kansalainen;ostrom@example.org;kyllä\n"
    ).encode("cp1252")
    response = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["encoding"] == "cp1252"
    warning = report["file_issues"][0]
    assert (warning["code"], warning["severity"]) == ("encoding_guessed", "warning")
    assert "Windows-1252" in warning["message"]
    names = client.get("/partners?scope=own&page_size=10", headers=org.staff.headers).json()
    assert sorted(i["name"] for i in names["items"]) == ["Käpylän Äijät ry", "Åström Ölund"]


def test_missing_columns_are_named(client: TestClient, org: Staff, registry: Registry) -> None:
    before = counts(registry)
    no_name = upload(client, org.staff, b"Email;Phone\nx@example.org;0401234567\n", kind="citizen")
    assert no_name.status_code == 422
    error = no_name.json()["error"]
    assert (error["code"], error["field"]) == ("missing_columns", "name")
    assert error["message"] == "the file has no column for: Name (Nimi)"

    no_kind = upload(client, org.staff, b"Nimi\nJoku\n")
    assert no_kind.json()["error"]["field"] == "kind"
    assert no_kind.json()["error"]["message"] == (
        "the file has no column for: Kind (Tyyppi); or choose one kind for the whole file"
    )

    twice = upload(client, org.staff, b"Nimi;Name\nA;B\n", kind="citizen")
    assert twice.json()["error"]["code"] == "duplicate_column"
    unknown = upload(client, org.staff, b"Nimi;Kengan koko\nA;43\n", kind="citizen")
    assert unknown.status_code == 200
    assert [i["code"] for i in unknown.json()["file_issues"]] == ["unknown_column"]
    empty = upload(client, org.staff, b"")
    assert empty.json()["error"]["code"] == "file_empty"
    header_only = upload(client, org.staff, b"Nimi;Tyyppi\n")
    assert header_only.json()["error"]["code"] == "no_rows"
    old_excel = upload(client, org.staff, b"\xd0\xcf\x11\xe0rest", "old.xls")
    assert old_excel.json()["error"]["code"] == "unsupported_format"
    broken = upload(client, org.staff, b"PK\x03\x04 not really a workbook", "broken.xlsx")
    assert broken.json()["error"]["code"] == "file_unreadable"
    assert counts(registry) == before


def test_a_mapping_reads_columns_with_other_headers(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    """The Ohana sample (San Mateo County) names its columns its own way."""
    content = (OHANA / "organizations.csv").read_bytes()
    mapping: dict[str, str | None] = {
        "name": "name",
        "description": "target_group",
        "website": "website",
        "email": "email",
    }
    response = upload(
        client, org.staff, content, "organizations.csv", mapping=mapping, kind="organisation",
        consents="file", dry_run=False, **CONSENT_BATCH,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["summary"]["written"] == 8
    assert {c["column"]: c["field"] for c in report["columns"]}["tax_id"] is None
    assert report["file_issues"] == []  # with a mapping, other columns are left out quietly
    found = client.get("/partners?name=peninsula&scope=own", headers=org.staff.headers).json()
    assert {i["name"] for i in found["items"]} == {
        "Peninsula Family Service",
        "Peninsula Volunteers",
    }

    wrong = upload(client, org.staff, content, mapping={"nimi": "name", "email": "shoe_size"})
    assert wrong.status_code == 422
    issues = wrong.json()["report"]["file_issues"]
    assert {(i["code"], i["column"]) for i in issues if i["severity"] == "error"} >= {
        ("mapping_invalid", "nimi"),
        ("mapping_invalid", "email"),
    }
    bad_json = upload(client, org.staff, content, mapping="{not json")
    assert bad_json.status_code == 422 and bad_json.json()["error"]["field"] == "mapping"
    assert counts(registry).partners == 8


def test_duplicates_in_the_file_and_in_the_resource_file_are_warnings(
    client: TestClient, org: Staff
) -> None:
    first = (
        "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto\nMatti Meikäläinen;kansalainen;"
        "matti@example.org;kyllä\n"
    ).encode()
    existing = upload(client, org.staff, first, dry_run=False, **CONSENT_BATCH).json()
    existing_id = existing["rows"][0]["partner_id"]
    content = (
        "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto\n"
        "Liisa Virtanen;kansalainen;liisa@example.org;kyllä\n"
        "L. Virtanen;kansalainen;LIISA@example.org;kyllä\n"
        "M. M.;kansalainen;matti@example.org;kyllä\n"
    ).encode()
    response = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    assert response.status_code == 201
    rows = rows_by_number(response.json())
    assert rows[2]["warnings"] == []
    in_file = rows[3]["warnings"][0]
    assert (in_file["code"], in_file["related_rows"]) == ("duplicate_in_file", [2])
    existing_warning = rows[4]["warnings"][0]
    assert existing_warning["code"] == "duplicate_existing"
    assert existing_warning["related_partner_ids"] == [existing_id]


def test_a_file_longer_than_a_chunk_is_written_whole_with_its_duplicates_found(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    """Rows are written a chunk at a time: a duplicate is found across chunks, and each
    row gets its own key, consent and event."""
    rows = [f"Henkilö {n};kansalainen;h{n}@example.org;kyllä;kyllä" for n in range(2, 2 + 300)]
    rows[297] = "Toinen Nimi;kansalainen;H2@example.org;kyllä;kyllä"  # row 299, as row 2
    content = "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto;Suostumus: tiimi\n" + "\n".join(rows)
    before = counts(registry)
    response = upload(client, org.staff, content.encode(), dry_run=False, **CONSENT_BATCH)
    assert response.status_code == 201, response.text
    report = rows_by_number(response.json())
    assert response.json()["summary"]["written"] == 300
    assert [w["code"] for r in report.values() for w in r["warnings"]] == ["duplicate_in_file"]
    assert report[299]["warnings"][0]["related_rows"] == [2]
    after = counts(registry)
    assert after.partners == before.partners + 300
    assert after.consent_records == before.consent_records + 600
    assert after.outbox == before.outbox + 600  # partner.upserted and consent.changed each
    last = client.get(f"/partners/{report[301]['partner_id']}", headers=org.staff.headers).json()
    assert last["card"]["contact"]["email"] == "h301@example.org"
    assert {c["purpose"] for c in last["consents"]} == {"file", "team"}
    found = client.get("/partners?name=henkilö 301&scope=own", headers=org.staff.headers)
    assert [i["id"] for i in found.json()["items"]] == [report[301]["partner_id"]]


def refuse_partners_in_one_district(database: Database, district: str | None) -> None:
    """A trigger that makes the database refuse partners in ``district``; None drops it."""
    sqlite = database.dialect == "sqlite"
    with database.engine.begin() as conn:
        if district is None:
            conn.execute(
                text("DROP TRIGGER refuse_one_district")
                if sqlite
                else text("DROP TRIGGER refuse_one_district ON registry.partners")
            )
            if not sqlite:
                conn.execute(text("DROP FUNCTION registry.refuse_one_district()"))
        elif sqlite:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_one_district BEFORE INSERT ON partners FOR EACH ROW "
                    f"WHEN NEW.district_code = '{district}' BEGIN SELECT RAISE(ABORT, 'refused');"
                    " END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION registry.refuse_one_district() RETURNS trigger "
                    f"LANGUAGE plpgsql AS $$ BEGIN IF NEW.district_code = '{district}' THEN "
                    "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_one_district BEFORE INSERT ON registry.partners "
                    "FOR EACH ROW EXECUTE FUNCTION registry.refuse_one_district()"
                )
            )


def test_a_row_the_database_refuses_is_named_and_nothing_is_written(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    """The checks catch what they can before anything is written. Should the database
    still refuse a row (here a trigger refuses partners in one district), the chunk is
    written again a row at a time, so that the report names that row alone."""
    refuse_partners_in_one_district(registry.database, "00530")
    content = (
        "Nimi;Tyyppi;Sähköposti;Postinumero;Suostumus: kortisto\n"
        "Aino A;kansalainen;aino@example.org;00100;kyllä\n"
        "Eero E;kansalainen;eero@example.org;00530;kyllä\n"
        "Aino B;kansalainen;AINO@example.org;00100;kyllä\n"
    ).encode()
    before = counts(registry)
    try:
        response = upload(client, org.staff, content, dry_run=False, **CONSENT_BATCH)
    finally:
        refuse_partners_in_one_district(registry.database, None)
    assert response.status_code == 422, response.text
    rows = rows_by_number(response.json()["report"])
    assert [(e["code"], e["field"]) for e in rows[3]["errors"]] == [("storage_failed", "row")]
    assert rows[2]["errors"] == rows[4]["errors"] == []
    assert [(w["code"], w["related_rows"]) for w in rows[4]["warnings"]] == [
        ("duplicate_in_file", [2])
    ]
    assert counts(registry) == before


def test_consent_needs_file_consent_and_its_details(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    content = (
        "Nimi;Tyyppi;Sähköposti;Suostumus: kortisto;Suostumus: tiimi\n"
        "A B;kansalainen;a@example.org;ei;kyllä\n"
    )
    before = counts(registry)
    no_details = upload(client, org.staff, content.encode())
    assert no_details.status_code == 422
    assert no_details.json()["error"]["field"] == "consent_method"
    needs_file = upload(client, org.staff, content.encode(), **CONSENT_BATCH)
    assert errors_of(needs_file.json()["rows"][0]) == {"consent_file": "consent_needs_file"}
    bad_method = upload(client, org.staff, content.encode(), consent_method="telepathy",
                        consent_information_version="v1")  # fmt: skip
    assert bad_method.status_code == 422 and bad_method.json()["error"]["field"] == "consent_method"
    assert counts(registry) == before


def test_only_staff_coordinators_and_admins_import(
    client: TestClient, world: World, registry: Registry
) -> None:
    organisation = world.organisation()
    content = b"Nimi;Tyyppi;Puhelin\nA B;kansalainen;0401234567\n"
    for role in ("planner", "support_user"):
        member = world.member(organisation, role)
        response = upload(client, member, content, dry_run=False)
        assert response.status_code == 403, role
    for role in ("staff", "coordinator", "admin"):
        assert upload(client, world.member(organisation, role), content).status_code == 200
    no_token = client.post("/imports/partners", files={"file": ("a.csv", content)})
    assert no_token.status_code == 401
    not_multipart = client.post(
        "/imports/partners", headers=world.member(organisation, "staff").headers, content=content
    )
    assert not_multipart.status_code == 415
    assert counts(registry).partners == 0


def test_pool_consent_columns_share_with_their_scope(
    client: TestClient, world: World, registry: Registry
) -> None:
    mine, other = world.organisation("Oma"), world.organisation("Toinen")
    pool = shared_pool(client, world.member(mine, "admin"), world.member(other, "admin"))
    staff = world.member(mine, "staff")
    content = (
        f"Nimi;Tyyppi;Sähköposti;Suostumus: kortisto;consent_pool:{pool}\n"
        "Yhteys Jaettu;organisaatio;y@example.org;kyllä;yhteystiedot\n"
        "Perus Jaettu;organisaatio;p@example.org;kyllä;kyllä\n"
        "Ei Jaettu;organisaatio;e@example.org;kyllä;ei\n"
        "Outo;organisaatio;o@example.org;kyllä;ehkä\n"
    ).encode()
    dry = upload(client, staff, content, **CONSENT_BATCH)
    assert errors_of(rows_by_number(dry.json())[5]) == {f"consent_pool:{pool}": "invalid_value"}
    fixed = content.replace("ehkä".encode(), b"ei")
    done = upload(client, staff, fixed, dry_run=False, **CONSENT_BATCH)
    assert done.status_code == 201, done.text
    ids = {r["row"]: r["partner_id"] for r in done.json()["rows"]}
    scopes = {}
    for row, partner_id in ids.items():
        consents = client.get(f"/partners/{partner_id}", headers=staff.headers).json()["consents"]
        scopes[row] = {c["purpose"]: c["scope"] for c in consents}
    assert scopes == {
        2: {"file": None, f"pool:{pool}": "contact"},
        3: {"file": None, f"pool:{pool}": "basic"},
        4: {"file": None},
        5: {"file": None},
    }
    outsider = world.member(other, "staff")
    seen = client.get("/partners?scope=shared", headers=outsider.headers).json()
    assert {i["name"] for i in seen["items"]} == {"Yhteys Jaettu", "Perus Jaettu"}
