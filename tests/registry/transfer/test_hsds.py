"""Open Referral HSDS 3.0: the export follows the official JSON schemas, the official
examples and the ServiceNet edge cases import with a clear report, and an export imported
into another organisation exports again unchanged."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from jsonschema import Draft202012Validator
from referencing import Registry as SchemaRegistry
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from services.registry.runtime import Registry
from tests.registry.conftest import Member, World
from tests.registry.transfer.conftest import (
    CONSENT_BATCH,
    Staff,
    access_entries,
    counts,
    create_partner,
    errors_of,
    report_of,
)

pytestmark = pytest.mark.usefixtures("reference_data")

DATA = Path(__file__).parents[4] / "shared" / "data"
SPEC = DATA / "hsds3-spec-examples"
HEALTHLEADS = DATA / "hsds-servicenet-fixtures" / "healthleads"


def hsds_validator(name: str) -> Draft202012Validator:
    """The official schema of one HSDS object, its $refs read from the other files."""
    resources = []
    for path in (SPEC / "schema").glob("*.json"):
        if path.name in ("datapackage.json", "openapi.json"):
            continue
        contents = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(contents, DRAFT202012)))
    schemas = SchemaRegistry().with_resources(resources)
    schema = json.loads((SPEC / "schema" / f"{name}.json").read_text())
    return Draft202012Validator(
        schema, registry=schemas, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def import_files(
    client: TestClient, member: Member, *paths: Path, dry_run: bool = True, **fields: str
) -> Response:
    return client.post(
        f"/imports/hsds?dry_run={'true' if dry_run else 'false'}",
        headers=member.headers,
        files=[("file", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths],
        data={"consents": "file,team", **CONSENT_BATCH, **fields},
    )


def import_json(client: TestClient, member: Member, document: Any, dry_run: bool) -> Response:
    return client.post(
        f"/imports/hsds?dry_run={'true' if dry_run else 'false'}",
        headers=member.headers,
        files={"file": ("hsds.json", json.dumps(document).encode(), "application/json")},
        data={"consents": "file,team", **CONSENT_BATCH},
    )


CONTACT = {
    "email": "kokit@example.org",
    "phone": "040 123 4567",
    "address": "Helsinginkatu 1",
    "website": "https://kokit.example.org",
}
FULL_CARD: dict[str, Any] = {
    "name": "Kallion Kokkikerho ry",
    "contact": CONTACT,
    "target_group": "Kaikki kaupunginosan asukkaat",
    "facilities": "Keittiö ja sali 40 hengelle",
    "contact_person": "Pirjo Puuronen",
    "responsible_person": "Ville Vastaava",
    "offers": [
        {"title": "Kokkikerho", "description": "Kokataan yhdessä", "schedule": "tiistaisin 17-19"},
        {"title": "Leivontailta", "description": "", "schedule": ""},
    ],
}


def seed(client: TestClient, member: Member) -> list[dict[str, Any]]:
    return [
        create_partner(client, member, FULL_CARD, "file", "team", district_code="00530",
                       category_codes=["P1", "P1.1"]),
        create_partner(client, member, {"name": "Pelkkä Nimi",
                                        "contact": {"email": "n@example.org"}}, "file", "team"),
        create_partner(client, member, {"name": "Kansalainen", "birthday": "1980-01-01"}, "file",
                       kind="citizen"),
    ]  # fmt: skip


def test_the_export_follows_the_hsds_3_schemas(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    club, plain, citizen = seed(client, org.staff)
    response = client.get("/exports/hsds.json", headers=org.staff.headers)
    assert response.status_code == 200
    page = response.json()
    assert (page["total_items"], page["empty"]) == (2, False)
    organizations = {o["name"]: o for o in page["contents"]}
    assert set(organizations) == {"Kallion Kokkikerho ry", "Pelkkä Nimi"}  # no citizens

    organization_schema, service_schema = hsds_validator("organization"), hsds_validator("service")
    for organization in page["contents"]:
        assert list(organization_schema.iter_errors(organization)) == []
        for service in organization["services"]:
            assert list(service_schema.iter_errors(service)) == []
    broken = copy.deepcopy(organizations["Kallion Kokkikerho ry"])
    broken["phones"][0]["number"] = 401234567
    broken["locations"][0]["location_type"] = "castle"
    assert len(list(organization_schema.iter_errors(broken))) == 2  # the check can fail

    exported = organizations["Kallion Kokkikerho ry"]
    assert exported["id"] == club["id"]
    assert (exported["email"], exported["website"]) == (
        "kokit@example.org",
        "https://kokit.example.org",
    )
    assert exported["description"] == "Kaikki kaupunginosan asukkaat"
    assert exported["phones"][0]["number"] == "+358401234567"
    assert [(c["title"], c["name"]) for c in exported["contacts"]] == [
        ("Contact person", "Pirjo Puuronen"),
        ("Responsible person", "Ville Vastaava"),
    ]
    location = exported["locations"][0]
    assert location["description"] == "Keittiö ja sali 40 hengelle"
    address = location["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["country"]) == (
        "Helsinginkatu 1", "00530", "FI",
    )  # fmt: skip
    assert [a["taxonomy_term"]["code"] for a in exported["attributes"]] == ["P1", "P1.1"]
    assert exported["attributes"][0]["taxonomy_term"]["name"] == "Housing"
    assert [(s["name"], s["status"]) for s in exported["services"]] == [
        ("Kokkikerho", "active"),
        ("Leivontailta", "active"),
    ]
    assert exported["services"][0]["schedules"][0]["description"] == "tiistaisin 17-19"
    again = client.get("/exports/hsds.json", headers=org.staff.headers).json()
    assert again["contents"] == page["contents"]  # ids are stable from one export to the next
    exports = [e.partner_id for e in access_entries(registry, org.staff.organisation_id)]
    assert sorted(exports) == sorted([club["id"], plain["id"]] * 2)
    assert citizen["id"] not in exports


def test_an_export_imported_elsewhere_exports_the_same(
    client: TestClient, org: Staff, world: World
) -> None:
    seed(client, org.staff)
    first = client.get("/exports/hsds.json", headers=org.staff.headers).json()
    other = world.member(world.organisation("Toinen ry"), "staff")
    imported = import_json(client, other, first, dry_run=False)
    assert imported.status_code == 201, imported.text
    report = imported.json()
    assert report["summary"]["written"] == 2
    assert all(r["warnings"] == [] for r in report["rows"])  # every field has its place
    second = client.get("/exports/hsds.json", headers=other.headers).json()

    def without_ids(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: without_ids(v)
                for k, v in value.items()
                if k not in ("id", "organization_id", "location_id", "service_id", "link_id")
            }
        if isinstance(value, list):
            return [without_ids(v) for v in value]
        return value

    def by_name(page: dict[str, Any]) -> list[Any]:
        return sorted((without_ids(o) for o in page["contents"]), key=lambda o: o["name"])

    assert by_name(second) == by_name(first)
    new_id = {r["ref"]: r["partner_id"] for r in report["rows"]}
    club = next(o for o in first["contents"] if o["name"] == FULL_CARD["name"])
    card = client.get(f"/partners/{new_id[club['id']]}", headers=other.headers).json()
    assert {k: card["card"][k] for k in FULL_CARD if k != "contact"} == {
        k: v for k, v in FULL_CARD.items() if k != "contact"
    }
    assert card["card"]["contact"] == {**CONTACT, "phone": "+358401234567"}
    assert (card["district_code"], card["category_codes"]) == ("00530", ["P1", "P1.1"])


def test_the_official_examples_import(client: TestClient, org: Staff, registry: Registry) -> None:
    full = import_files(client, org.staff, SPEC / "json" / "organization_full.json")
    assert full.status_code == 200, full.text
    row = full.json()["rows"][0]
    assert (row["status"], row["ref"]) == ("ok", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    not_kept = row["warnings"][0]
    assert not_kept["code"] == "fields_not_kept" and "year_incorporated" in not_kept["message"]
    assert counts(registry).partners == 0

    for paths in (
        [SPEC / "json" / "service_full.json"],
        [SPEC / "json" / "organization_list.json"],
        [SPEC / "json" / "tabular.json"],
        sorted((SPEC / "csv").glob("*.csv")),
    ):
        response = import_files(client, org.staff, *paths)
        assert response.status_code == 200, (paths, response.text)
        assert response.json()["status"] == "ok", paths
    tables = import_files(client, org.staff, *sorted((SPEC / "csv").glob("*.csv"))).json()
    assert tables["format"] == "hsds-tables"
    assert [i["code"] for i in tables["file_issues"]] == ["tables_not_used", "orphan_records"]

    written = import_files(
        client, org.staff, SPEC / "json" / "organization_full.json", dry_run=False
    )
    assert written.status_code == 201
    partner_id = written.json()["rows"][0]["partner_id"]
    card = client.get(f"/partners/{partner_id}", headers=org.staff.headers).json()["card"]
    assert card["name"] == "Example Organization Inc."
    assert card["contact"] == {
        "email": "email@example.com",
        "phone": "+441234234567",
        "address": "1-30 Main Street, MyVillage, ABC 1234, MyCity, MyRegion, MyState, US",
        "website": "http://example.com",
    }
    assert card["target_group"].startswith("Example Org is a non-profit")
    assert card["facilities"].startswith("MyCity Civic Center is located on Main Street")
    assert card["contact_person"] == "Ann Persona"
    assert [(o["title"], o["schedule"][:24]) for o in card["offers"]] == [
        ("Community Counselling", "The service is available")
    ]


def test_servicenet_edge_cases_give_a_clear_report(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    before = counts(registry)
    invalid = import_files(
        client, org.staff, *sorted((HEALTHLEADS / "invalid_fields").glob("*.json")), dry_run=False
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "import_failed"
    row = invalid.json()["report"]["rows"][0]
    assert errors_of(row) == {
        "email": "invalid_email",
        "phone": "invalid_phone",
        "address": "too_long",
    }
    assert {e["column"] for e in row["errors"]} == {
        "email", "phones[0].number", "locations[0].addresses[0]",
    }  # fmt: skip
    assert counts(registry) == before

    conflicting = import_files(
        client, org.staff, HEALTHLEADS / "organizations.json",
        HEALTHLEADS / "conflicting" / "1" / "organizations.json",
    )  # fmt: skip
    rows = {r["row"]: r for r in conflicting.json()["rows"]}
    assert rows[1]["errors"][0]["code"] == rows[4]["errors"][0]["code"] == "conflicting_records"
    assert rows[1]["errors"][0]["related_rows"] == [4]
    assert rows[4]["errors"][0]["related_rows"] == [1]

    complete = import_files(client, org.staff, *sorted((HEALTHLEADS / "complete").glob("*.json")))
    complete_row = complete.json()["rows"][0]
    assert errors_of(complete_row) == {"phone": "invalid_phone"}
    assert "read as Finnish" in complete_row["errors"][0]["message"]

    csv_tables = import_files(
        client, org.staff, *sorted((HEALTHLEADS / "bad_matches").glob("*.csv"))
    )
    assert csv_tables.status_code == 200
    assert [r["status"] for r in csv_tables.json()["rows"]] == ["ok", "error", "error"]
    assert counts(registry) == before

    minimal = import_files(
        client, org.staff, *sorted((HEALTHLEADS / "minimal").glob("*.json")), dry_run=False
    )
    assert minimal.status_code == 201, minimal.text
    report = minimal.json()
    assert [i["code"] for i in report["file_issues"]] == ["tables_not_used", "orphan_records"]
    assert "1 services, 1 locations, 1 phones" in report["file_issues"][1]["message"]
    assert counts(registry).partners == before.partners + 1


def test_files_that_are_not_hsds_are_refused(
    client: TestClient, org: Staff, registry: Registry, tmp_path: Path
) -> None:
    before = counts(registry)
    cases = {
        "broken.json": (b'{"name": "x",', "file_unreadable"),
        "other.json": (b'{"foo": [1, 2]}', "not_hsds"),
        "numbers.json": (b"[1, 2, 3]", "not_hsds"),
        "phones.json": (b'[{"id": "p1", "number": "0401234567"}]', "missing_tables"),
        "tables.zip": (b"PK\x03\x04 broken", "file_unreadable"),
        "utf16.json": ('{"name": "x"}'.encode("utf-16"), "encoding_unsupported"),
    }
    for name, (content, code) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        response = import_files(client, org.staff, path, dry_run=False)
        assert response.status_code == 422, name
        assert response.json()["error"]["code"] == code, name
        assert report_of(response)["rows"] == []
    no_name = import_json(client, org.staff, [{"id": "a", "description": "no name"}], False)
    assert errors_of(no_name.json()["report"]["rows"][0]) == {"name": "required"}
    assert counts(registry) == before


def test_a_zipped_datapackage_imports(client: TestClient, org: Staff, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "hsds.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in (SPEC / "csv").glob("*.csv"):
            zipped.write(path, f"data/{path.name}")
    response = import_files(client, org.staff, archive, dry_run=False)
    assert response.status_code == 201, response.text
    assert response.json()["format"] == "hsds-tables"
    assert response.json()["summary"]["written"] == 1
