"""The import wizard, the export downloads, the district pages and who may enter them, over
HTTP against the real registry process."""

import io
import re
import secrets

import httpx
from openpyxl import Workbook, load_workbook

from tests.portal.conftest import (
    ANNA_NAME,
    ANNA_PASSWORD,
    Elements,
    PortalStack,
    csrf_of,
    portal_client,
)


def csv_file(*rows: str) -> bytes:
    return ("Nimi;Sähköposti;Puhelin;Postinumero;Tarjonta\n" + "\n".join(rows) + "\n").encode()


def check(
    client: httpx.Client, content: bytes, filename: str = "kumppanit.csv", **fields: object
) -> httpx.Response:
    token = csrf_of(client.get("/partners/import").text)
    data = {
        "csrf_token": token,
        "kind": "organisation",
        "purpose": ["file", "team"],
        "consent_method": "written",
        "information_version": "2026-1",
        **fields,
    }
    return client.post(
        "/partners/import", data=data, files={"file": (filename, content, "text/csv")}
    )


def confirm_form(html: str) -> dict[str, list[str]]:
    form = html[html.index('action="/partners/import/commit"') :]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


def test_the_import_wizard_reports_each_row_and_commits_all_or_nothing(
    anna: httpx.Client,
) -> None:
    tag = secrets.token_hex(3)
    start = anna.get("/partners/import")
    assert start.status_code == 200
    page = Elements(start.text)
    (form,) = page.find("form", enctype="multipart/form-data")
    assert form["action"] == "/partners/import"
    assert page.find("input", type="file", id="file")
    assert page.find("legend")

    bad = check(
        anna,
        csv_file(
            f"Kirjasto {tag};kirjasto-{tag}@example.org;09 123 4567;00530;Lukupiiri",
            f"Huono {tag};huono-{tag}@example.org;;99999;",
        ),
    )
    assert bad.status_code == 200
    html = bad.text
    assert "Tiedostoa ei voi tuoda sellaisenaan" in html
    assert "1 rivillä on virheitä." in html
    row = html[html.index('<tr class="row--error">') :]
    row = row[: row.index("</tr>")]
    assert '<th scope="row" data-label="Rivi">3</th>' in row
    assert "Alue" in row and "(Postinumero)" in row
    assert "Tällä postinumerolla ei ole aluetta." in row
    assert 'action="/partners/import/commit"' not in html, "nothing to confirm"
    assert "Mitään ei tallennettu" in html
    listed = anna.get("/partners", params={"name": tag, "status": "any"}).text
    assert "0 kumppania löytyi" in listed, "a dry run writes nothing"

    good = check(
        anna,
        csv_file(
            f"Kirjasto {tag};kirjasto-{tag}@example.org;09 123 4567;00530;Lukupiiri",
            f"Nuorisotalo {tag};nuoriso-{tag}@example.org;;00500;Bändikerho",
        ),
    )
    assert good.status_code == 200
    assert "Kaikki 2 riviä voidaan tuoda" in good.text
    assert "Mitään ei ole vielä tallennettu." in good.text
    fields = confirm_form(good.text)
    assert fields["purpose"] == ["file", "team"]
    done = anna.post("/partners/import/commit", data=fields, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/partners/import/done?written=2"
    result = anna.get(done.headers["location"]).text
    assert "2 kumppania lisättiin resurssitiedostoon." in result
    listed = anna.get("/partners", params={"name": tag}).text
    assert "2 kumppania löytyi" in listed
    assert f"Kirjasto {tag}" in listed and f"Nuorisotalo {tag}" in listed


def test_the_import_wizard_explains_a_wrong_file_or_missing_choices(anna: httpx.Client) -> None:
    text_file = check(anna, b"hello", filename="muistio.txt")
    assert text_file.status_code == 422
    assert "Tuoda voi vain CSV- ja Excel-tiedostoja (.xlsx)." in text_file.text
    (field,) = Elements(text_file.text).find("input", id="file")
    assert field["aria-invalid"] == "true"

    no_method = check(anna, csv_file("Joku;joku@example.org;;;"), consent_method="")
    assert no_method.status_code == 422
    assert "Valitse, miten tiedoston suostumukset annettiin." in no_method.text

    token = csrf_of(anna.get("/partners/import").text)
    no_file = anna.post(
        "/partners/import", data={"csrf_token": token}, files={"file": ("", b"", "text/csv")}
    )
    assert no_file.status_code == 422
    assert "Valitse tuotava tiedosto." in no_file.text

    forged = anna.post(
        "/partners/import/commit",
        data={"csrf_token": "forged", "filename": "x.csv", "file_data": "eA=="},
    )
    assert forged.status_code == 400


def test_an_excel_workbook_is_imported_too(anna: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nimi", "Sähköposti", "Postinumero"])
    sheet.append([f"Seurakunta {tag}", f"srk-{tag}@example.org", "00530"])
    buffer = io.BytesIO()
    book.save(buffer)
    token = csrf_of(anna.get("/partners/import").text)
    report = anna.post(
        "/partners/import",
        data={
            "csrf_token": token,
            "kind": "organisation",
            "purpose": "file",
            "consent_method": "verbal",
            "information_version": "1",
        },
        files={"file": ("lista.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert "Rivi voidaan tuoda" in report.text, report.text[-3000:]
    done = anna.post(
        "/partners/import/commit", data=confirm_form(report.text), follow_redirects=True
    )
    assert "1 kumppani lisättiin resurssitiedostoon." in done.text


def test_exports_download_as_files_with_the_lists_filters(anna: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    fields = confirm_form(
        check(anna, csv_file(f"Vietävä {tag};vie-{tag}@example.org;;00530;Kerho")).text
    )
    anna.post("/partners/import/commit", data=fields)

    listed = anna.get("/partners", params={"name": tag}).text
    assert f'href="/partners/export/partners.csv?name={tag}&amp;scope=all"' in listed
    csv = anna.get("/partners/export/partners.csv", params={"name": tag, "scope": "all"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"].startswith("attachment")
    assert csv.headers["cache-control"] == "no-store"
    text = csv.content.decode("utf-8-sig")
    assert f"Vietävä {tag}" in text and "Nimi" in text.splitlines()[0]
    assert "Vietävä" not in anna.get("/partners/export/partners.csv", params={"name": "zzqq"}).text

    xlsx = anna.get("/partners/export/partners.xlsx", params={"name": tag})
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    sheet = workbook.active
    assert sheet is not None
    assert any(f"Vietävä {tag}" in str(cell.value) for row in sheet.iter_rows() for cell in row)

    hsds = anna.get("/partners/export/hsds.json", params={"name": tag})
    assert hsds.status_code == 200
    assert hsds.headers["content-disposition"] == 'attachment; filename="hsds.json"'
    assert f"Vietävä {tag}" in hsds.text

    partner_id = re.search(r'href="/partners/([0-9a-f-]{36})"', listed)
    assert partner_id
    vcard = anna.get(f"/partners/{partner_id.group(1)}/vcard")
    assert vcard.status_code == 200
    assert "BEGIN:VCARD" in vcard.text and f"Vietävä {tag}" in vcard.text


def test_a_district_note_is_written_quickly_and_the_coverage_shown(
    anna: httpx.Client, olli: httpx.Client
) -> None:
    tag = secrets.token_hex(3)
    page = anna.get("/districts")
    assert page.status_code == 200
    html = page.text
    assert "Pikamuistiinpano" in html and "Kuka vastaa mistäkin alueesta" in html
    assert 'action="/districts/assignments"' not in html, "staff do not set teams"
    token = csrf_of(html)

    missing = anna.post("/districts/notes", data={"csrf_token": token, "answer": "jotain"})
    assert missing.status_code == 422
    errors = Elements(missing.text)
    assert "Valitse alue." in errors.text_of("note-district_code-error")
    assert "Kirjoita, mitä kysyit" in errors.text_of("note-question-error")
    assert 'href="#note-district_code"' in missing.text

    saved = anna.post(
        "/districts/notes",
        data={
            "csrf_token": token,
            "district_code": "00530",
            "question": f"Missä nuoret ovat iltaisin? {tag}",
            "answer": "Kirjastolla ja nuorisotalolla.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    html = anna.get("/districts").text
    assert "Muistiinpano tallennettiin." in html
    assert f"Missä nuoret ovat iltaisin? {tag}" in html
    assert "Kallio · " + ANNA_NAME in html or f"Kallio · {ANNA_NAME}" in html
    only_kallio = anna.get("/districts", params={"district": "00530"}).text
    assert tag in only_kallio
    assert tag not in anna.get("/districts", params={"district": "00100"}).text

    lead = olli.get("/districts", params={"assign": "00530"}).text
    assert 'action="/districts/assignments"' in lead
    members = dict(
        re.findall(
            r'value="([0-9a-f-]{36})"[^>]*>\s*<label class="choice__label" for="[^"]+">([^<]+)<',
            lead,
        )
    )
    anna_id = next(i for i, n in members.items() if n == ANNA_NAME)
    assigned = olli.post(
        "/districts/assignments",
        data={"csrf_token": csrf_of(lead), "district_code": "00530", "user_id": anna_id},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    coverage = olli.get("/districts").text
    assert "Alueen tiimi tallennettiin." in coverage
    row = coverage[coverage.index("Kallio (00530)</th>") :]
    row = row[: row.index("</tr>")]
    assert ANNA_NAME in row


def test_sections_refuse_roles_that_do_not_open_them(portal_stack: PortalStack) -> None:
    organisation = portal_stack.create_org(f"Kunta {secrets.token_hex(3)}", "municipality")
    email = f"planner-{secrets.token_hex(4)}@example.org"
    portal_stack.create_user(email, organisation, ["planner"], "Pia Planner", ANNA_PASSWORD)
    with portal_client(portal_stack, email) as planner:
        for path in ("/partners", "/partners/new", "/partners/import", "/districts", "/access-log"):
            refused = planner.get(path)
            assert refused.status_code == 403, path
            assert "Ei pääsyä tälle sivulle" in refused.text
            assert "Pia Planner" in refused.text, "the page keeps the person's header"


def test_an_empty_organisation_sees_the_empty_states(portal_stack: PortalStack) -> None:
    organisation = portal_stack.create_org(f"Uusi {secrets.token_hex(3)}")
    email = f"new-{secrets.token_hex(4)}@example.org"
    portal_stack.create_user(email, organisation, ["staff"], "Uuno Uusi", ANNA_PASSWORD)
    with portal_client(portal_stack, email) as newcomer:
        partners = newcomer.get("/partners").text
        assert "Resurssitiedostossanne ei ole vielä kumppaneita." in partners
        assert 'href="/partners/new"' in partners and 'href="/partners/import"' in partners
        log = newcomer.get("/access-log").text
        assert "Kukaan organisaationne ulkopuolelta ei ole katsonut kumppaneitanne" in log
        districts = newcomer.get("/districts").text
        assert "Muistiinpanoja ei vielä ole." in districts
        assert "Millään alueella ei vielä ole tiimiä eikä kumppaneita." in districts
