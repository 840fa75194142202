"""Open Referral HSDS 3.0: organisation partners out as ``organization`` objects with their
offers as ``service`` objects, and HSDS organizations (nested JSON, or the tabular form as
JSON or CSV tables) in as organisation partners. ``docs/imports.md`` lists which HSDS field
holds which card field."""

import csv
import io
import json
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from services.registry.partners import search
from services.registry.partners.checks import Checks
from services.registry.partners.models import PartnerKind
from services.registry.reference import service as reference
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.registry.transfer import imports, tabular
from services.registry.transfer.exports import Exported, pages
from services.registry.transfer.imports import Draft
from services.registry.transfer.schemas import WARNING, ImportOptions, ImportReport, Issue
from services.registry.transfer.upload import Upload, UploadedFile
from shared.auth import Principal
from shared.crypto import normalise_phone
from shared.errors import Invalid

HSDS_VERSION = "3.0"
TAXONOMY = "Kortisto categories (Finnish PTV service classes)"
CONTACT_PERSON = "Contact person"
RESPONSIBLE_PERSON = "Responsible person"
COUNTRY = "FI"
ADDRESS_PARTS = ("address_1", "address_2", "city", "region", "state_province")
# Organization and service members that become card fields; anything else is reported.
ORG_MAPPED = {
    "id", "name", "description", "email", "website", "url", "phones", "contacts",
    "locations", "services", "attributes", "organization_id",
}  # fmt: skip
SERVICE_MAPPED = {"id", "organization_id", "name", "description", "status", "schedules",
                  "organization"}  # fmt: skip
TABLE_ALIASES = {
    "physical_addresses": "addresses",
    "services_at_location": "service_at_location",
    "organization": "organizations",
    "service": "services",
}
USED_TABLES = {
    "organizations", "services", "phones", "locations", "addresses", "contacts",
    "schedules", "attributes", "taxonomy_terms",
}  # fmt: skip
# Every table of HSDS 3.0 and 1.x: a single file with one of these names is one table.
TABLES = USED_TABLES | {
    "service_at_location", "languages", "funding", "programs", "required_documents",
    "service_areas", "accessibility", "cost_options", "metadata", "meta_table_descriptions",
    "organization_identifiers", "taxonomies", "eligibility", "taxonomy", "services_taxonomy",
}  # fmt: skip
MAX_ZIP_ENTRIES = 100


def _sub_id(partner_id: str, *parts: object) -> str:
    """A stable id for a part of a partner's record, so exports repeat their ids."""
    return str(uuid.uuid5(uuid.UUID(partner_id), "/".join(str(p) for p in parts)))


def _term_id(code: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:kortisto:category:{code}"))


# --- export --------------------------------------------------------------------------------


def export(
    session: Session, registry: Registry, principal: Principal, query: search.PartnerQuery
) -> dict[str, Any]:
    """Organisation partners as an HSDS page of fully nested organizations."""
    query = replace(query, kind=PartnerKind.organisation.value)
    labels: dict[str, str] = {}
    contents = []
    for page in pages(session, registry, principal, query):
        for exported in page:
            contents.append(organization(session, principal, exported, labels))
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def organization(
    session: Session, principal: Principal, e: Exported, labels: dict[str, str]
) -> dict[str, Any]:
    card, pid = e.card, e.partner.id
    contact = card.get("contact") or {}
    org: dict[str, Any] = {
        "id": pid,
        "name": card.get("name", ""),
        "description": card.get("target_group", ""),
    }
    if contact.get("email"):
        org["email"] = contact["email"]
    if contact.get("website"):
        org["website"] = contact["website"]
    org["phones"] = (
        [{"id": _sub_id(pid, "phone"), "organization_id": pid, "number": contact["phone"]}]
        if contact.get("phone")
        else []
    )
    people = [
        (title, card.get(key, ""))
        for title, key in (
            (CONTACT_PERSON, "contact_person"),
            (RESPONSIBLE_PERSON, "responsible_person"),
        )
    ]
    org["contacts"] = [
        {"id": _sub_id(pid, "contact", title), "organization_id": pid, "name": name, "title": title}
        for title, name in people
        if name
    ]
    location = _location(e, contact)
    org["locations"] = [location] if location else []
    org["attributes"] = [_attribute(session, principal, pid, code, labels) for code in e.categories]
    org["services"] = [
        _service(pid, index, offer) for index, offer in enumerate(card.get("offers", []))
    ]
    return org


def _location(e: Exported, contact: dict[str, Any]) -> dict[str, Any] | None:
    pid, district = e.partner.id, e.partner.district_code
    address, facilities = contact.get("address"), e.card.get("facilities")
    if not (address or facilities or (district and "contact" in e.card)):
        return None
    location: dict[str, Any] = {
        "id": _sub_id(pid, "location"),
        "organization_id": pid,
        "location_type": "physical",
        "name": e.card.get("name", ""),
    }
    if facilities:
        location["description"] = facilities
    if address or (district and "contact" in e.card):
        location["addresses"] = [
            {
                "id": _sub_id(pid, "address"),
                "location_id": location["id"],
                "address_1": address or "",
                "city": "",
                "state_province": "",
                "postal_code": district or "",
                "country": COUNTRY,
                "address_type": "physical",
            }
        ]
    return location


def _attribute(
    session: Session, principal: Principal, pid: str, code: str, labels: dict[str, str]
) -> dict[str, Any]:
    if code not in labels:
        category = reference.find_category(session, principal.organisation_id, code)
        labels[code] = (category.label_en or category.label_fi or code) if category else code
    term_id = _term_id(code)
    return {
        "id": _sub_id(pid, "attribute", code),
        "link_id": pid,
        "link_type": "category",
        "link_entity": "organization",
        "taxonomy_term_id": term_id,
        "value": code,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": labels[code],
            "description": labels[code],
            "taxonomy": TAXONOMY,
        },
    }


def _service(pid: str, index: int, offer: dict[str, Any]) -> dict[str, Any]:
    service_id = _sub_id(pid, "service", index)
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": pid,
        "name": offer.get("title", ""),
        "description": offer.get("description", ""),
        "status": "active",
    }
    if offer.get("schedule"):
        service["schedules"] = [
            {
                "id": _sub_id(pid, "schedule", index),
                "service_id": service_id,
                "description": offer["schedule"],
            }
        ]
    return service


# --- import: reading the upload -----------------------------------------------------------


@dataclass
class Source:
    """The organizations found in the upload, nested, and what was noticed on the way."""

    format: str
    organizations: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


class NotHsds(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_source(upload: Upload, settings: RegistrySettings) -> Source:
    files = upload.files
    if not files:
        raise Invalid("file", "upload an HSDS JSON file or the HSDS tables")
    if len(files) == 1 and _suffix(files[0]) == ".zip":
        return _tables_source(_zip_tables(files[0], settings))
    if len(files) == 1 and _suffix(files[0]) != ".csv":
        data = _json(files[0])
        if isinstance(data, dict) and data and all(str(k).endswith(".csv") for k in data):
            return _tables_source(_json_tables(data))
        table = _table_name(files[0].filename)
        if not (table in TABLES and isinstance(data, list)):
            return _nested_source(data)
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for uploaded in files:
        name = _table_name(uploaded.filename)
        rows = _csv_rows(uploaded.read()) if _suffix(uploaded) == ".csv" else _json(uploaded)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise NotHsds("not_hsds", f"{uploaded.filename} is not a list of {name} records")
        tables[name].extend(rows)
    return _tables_source(tables)


def _suffix(uploaded: UploadedFile) -> str:
    return PurePosixPath(uploaded.filename.lower()).suffix


def _table_name(filename: str) -> str:
    stem = PurePosixPath(filename.lower()).name.split(".")[0]
    return TABLE_ALIASES.get(stem, stem)


def _json(uploaded: UploadedFile) -> Any:
    raw = uploaded.read()
    try:
        return json.loads(tabular.decode_text(raw)[0])
    except tabular.FileProblem as problem:
        raise NotHsds(problem.code, problem.message) from problem
    except json.JSONDecodeError as exc:
        raise NotHsds(
            "file_unreadable",
            f"{uploaded.filename} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})",
        ) from exc


def _csv_rows(raw: bytes) -> list[dict[str, Any]]:
    try:
        text = tabular.decode_text(raw)[0]
    except tabular.FileProblem as problem:
        raise NotHsds(problem.code, problem.message) from problem
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [{k: (v if v != "" else None) for k, v in r.items() if k} for r in reader]


def _json_tables(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, rows in data.items():
        if isinstance(rows, list):
            tables[_table_name(name)] = [r for r in rows if isinstance(r, dict)]
    return tables


def _zip_tables(uploaded: UploadedFile, settings: RegistrySettings) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    try:
        archive = zipfile.ZipFile(uploaded.file)
    except zipfile.BadZipFile as exc:
        raise NotHsds("file_unreadable", "the zip file cannot be read") from exc
    with archive:
        entries = [i for i in archive.infolist() if i.filename.lower().endswith((".csv", ".json"))]
        if len(entries) > MAX_ZIP_ENTRIES:
            raise NotHsds("too_many_files", f"the zip holds more than {MAX_ZIP_ENTRIES} tables")
        if sum(i.file_size for i in entries) > 5 * settings.import_max_bytes:
            raise NotHsds("file_too_large", "the tables in the zip are too large once unpacked")
        for info in entries:
            if PurePosixPath(info.filename).name == "datapackage.json":
                continue
            raw = archive.read(info)
            name = _table_name(info.filename)
            if info.filename.lower().endswith(".csv"):
                tables[name].extend(_csv_rows(raw))
            else:
                rows = json.loads(tabular.decode_text(raw)[0])
                tables[name].extend(r for r in rows if isinstance(r, dict))
    return tables


def _nested_source(data: Any) -> Source:
    """A page (``contents``), a list, one organization, or one service with its
    organization, as the HSDS API gives them."""
    items = data.get("contents") if isinstance(data, dict) and "contents" in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise NotHsds("not_hsds", "the JSON holds no HSDS organizations or services")
    source = Source(format="hsds-json")
    by_id: dict[str, dict[str, Any]] = {}
    for item in items:
        if _is_service(item):
            parent = dict(item.get("organization") or {})
            key = str(parent.get("id") or item.get("organization_id") or id(item))
            org = by_id.get(key)
            if org is None:
                org = by_id[key] = {**parent, "services": []}
                source.organizations.append(org)
            org.setdefault("services", []).append(item)
        else:
            source.organizations.append(item)
    if not source.organizations or not any(_is_organization(o) for o in source.organizations):
        raise NotHsds("not_hsds", "the JSON holds no HSDS organizations or services")
    return source


def _is_service(item: dict[str, Any]) -> bool:
    return isinstance(item.get("organization"), dict) or (
        "status" in item and "services" not in item
    )


def _is_organization(item: dict[str, Any]) -> bool:
    return any(item.get(k) for k in ("name", "id", "services"))


def _tables_source(tables: dict[str, list[dict[str, Any]]]) -> Source:
    """Nested organizations from HSDS tables (3.0, or 1.x names such as physical_addresses)."""
    source = Source(format="hsds-tables")
    if "organizations" not in tables:
        raise NotHsds("missing_tables", "the HSDS tables have no organizations table")
    unused = sorted(set(tables) - USED_TABLES - {"service_at_location"})
    if unused:
        source.issues.append(
            Issue(
                code="tables_not_used",
                severity=WARNING,
                field="file",
                message=f"these tables have no place on a card and were not read: "
                f"{', '.join(unused)}",
            )
        )

    def by(table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in tables.get(table, []):
            if record.get(key):
                grouped[str(record[key])].append(record)
        return grouped

    phones_by = {k: by("phones", k) for k in ("organization_id", "location_id", "service_id",
                                              "contact_id")}  # fmt: skip
    schedules = by("schedules", "service_id")
    addresses = by("addresses", "location_id")
    services = by("services", "organization_id")
    locations = by("locations", "organization_id")
    contacts = by("contacts", "organization_id")
    attributes = by("attributes", "link_id")
    terms = {str(t.get("id")): t for t in tables.get("taxonomy_terms", []) if t.get("id")}
    org_ids = {str(o["id"]) for o in tables["organizations"] if o.get("id")}
    for organization_row in tables["organizations"]:
        oid = str(organization_row.get("id") or "")
        org = dict(organization_row)
        if oid:
            org["phones"] = list(phones_by["organization_id"].get(oid, []))
            org["services"] = [
                {
                    **s,
                    "schedules": schedules.get(str(s.get("id")), []),
                    "phones": phones_by["service_id"].get(str(s.get("id")), []),
                }
                for s in services.get(oid, [])
            ]
            org["locations"] = [
                {
                    **loc,
                    "addresses": addresses.get(str(loc.get("id")), []),
                    "phones": phones_by["location_id"].get(str(loc.get("id")), []),
                }
                for loc in locations.get(oid, [])
            ]
            org["contacts"] = [
                {**c, "phones": phones_by["contact_id"].get(str(c.get("id")), [])}
                for c in contacts.get(oid, [])
            ]
            org["attributes"] = [
                {**a, "taxonomy_term": terms.get(str(a.get("taxonomy_term_id")))}
                for a in attributes.get(oid, [])
            ]
        source.organizations.append(org)
    orphans = {
        table: sum(
            1
            for r in tables.get(table, [])
            if not r.get("organization_id") or str(r["organization_id"]) not in org_ids
        )
        for table in ("services", "locations", "contacts")
    }
    orphans["phones"] = sum(
        1
        for r in tables.get("phones", [])
        if not any(r.get(k) for k in ("location_id", "service_id", "contact_id"))
        and str(r.get("organization_id") or "") not in org_ids
    )
    counted = ", ".join(f"{n} {table}" for table, n in orphans.items() if n)
    if counted:
        source.issues.append(
            Issue(
                code="orphan_records",
                severity=WARNING,
                field="file",
                message=f"skipped {counted} that name no organization of the file",
            )
        )
    return source


# --- import: organizations into drafts ----------------------------------------------------


def import_hsds(
    session: Session,
    registry: Registry,
    principal: Principal,
    upload: Upload,
    options: ImportOptions,
    settings: RegistrySettings,
) -> ImportReport:
    options = options.model_copy(update={"kind": PartnerKind.organisation})
    try:
        source = read_source(upload, settings)
    except NotHsds as problem:
        issue = Issue(code=problem.code, field="file", message=problem.message)
        return imports.finish("hsds", options, [], [issue], written=False)
    if len(source.organizations) > settings.import_max_rows:
        issue = Issue(
            code="too_many_rows",
            field="file",
            message=f"the file has more than {settings.import_max_rows} organizations",
        )
        return imports.finish(source.format, options, [], [issue], written=False)
    imports.require_consent_details(options, False)
    refs = Checks(session, principal.organisation_id)
    drafts = [
        draft_from_organization(number, org, refs)
        for number, org in enumerate(source.organizations, start=1)
    ]
    _conflicts(drafts, source.organizations)
    written = imports.run(session, registry, principal, drafts, options)
    return imports.finish(source.format, options, drafts, source.issues, written=written)


def draft_from_organization(number: int, org: dict[str, Any], refs: Checks) -> Draft:
    draft = Draft(row=number, ref=_str(org.get("id")) or None, kind=PartnerKind.organisation.value)
    values, sources = draft.values, draft.sources
    _put(values, sources, "name", _str(org.get("name")), "name")
    _put(values, sources, "target_group", _str(org.get("description")), "description")
    contacts = _dicts(org.get("contacts"))
    email_at = "email" if _str(org.get("email")) else _first_path(contacts, "contacts", "email")
    _put(values, sources, "email", _at(org, email_at), email_at)
    website_key = "website" if _str(org.get("website")) else "url"
    _put(values, sources, "website", _str(org.get(website_key)), website_key)
    for key in ("contact_person", "responsible_person"):
        for index, person in enumerate(contacts):
            is_responsible = _str(person.get("title")).casefold() == RESPONSIBLE_PERSON.casefold()
            if (key == "responsible_person") == is_responsible and _str(person.get("name")):
                _put(values, sources, key, _str(person["name"]), f"contacts[{index}].name")
                break
    location_index, location, address = _address(org)
    region = COUNTRY
    if address is not None:
        path = f"locations[{location_index}].addresses[0]"
        country = _str(address.get("country")).upper()
        if country in phonenumbers.SUPPORTED_REGIONS:
            region = country
        postal = _str(address.get("postal_code"))
        district = postal if postal and refs.district(postal) else ""
        parts = [_str(address.get(k)) for k in ADDRESS_PARTS]
        if postal and not district:
            parts.insert(2, postal)
        if country and country != COUNTRY:
            parts.append(country)
        _put(values, sources, "address", ", ".join(p for p in parts if p), path)
        _put(values, sources, "district", district, f"{path}.postal_code")
    if location is not None:
        _put(
            values,
            sources,
            "facilities",
            _str(location.get("description")),
            f"locations[{location_index}].description",
        )
    phone_path, phone = _phone(org)
    if phone:
        _put(values, sources, "phone", _normalised_phone(phone, region), phone_path)
    _offers(draft, _dicts(org.get("services")))
    _categories(draft, _dicts(org.get("attributes")), refs)
    _not_kept(draft, org)
    return draft


def _put(values: dict[str, Any], sources: dict[str, str], key: str, value: Any, at: str) -> None:
    if value:
        values[key] = value
        sources[key] = at


def _str(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _first_path(items: list[dict[str, Any]], name: str, key: str) -> str:
    for index, item in enumerate(items):
        if _str(item.get(key)):
            return f"{name}[{index}].{key}"
    return key


def _at(org: dict[str, Any], path: str) -> str:
    """The value at a simple path such as ``contacts[0].email``."""
    value: Any = org
    for part in path.split("."):
        name, _, index = part.partition("[")
        value = value.get(name) if isinstance(value, dict) else None
        if index and isinstance(value, list):
            value = value[int(index.rstrip("]"))]
    return _str(value)


def _address(org: dict[str, Any]) -> tuple[int, dict[str, Any] | None, dict[str, Any] | None]:
    """The first location with a physical address (or any address), and that address."""
    locations = _dicts(org.get("locations"))
    chosen: tuple[int, dict[str, Any] | None, dict[str, Any] | None] = (0, None, None)
    for index, location in enumerate(locations):
        addresses = _dicts(location.get("addresses"))
        physical = [a for a in addresses if _str(a.get("address_type")) in ("", "physical")]
        if physical:
            return index, location, physical[0]
        if addresses and chosen[2] is None:
            chosen = (index, location, addresses[0])
    if chosen[1] is None and locations:
        return 0, locations[0], None
    return chosen


def _phone(org: dict[str, Any]) -> tuple[str, str]:
    """The organisation's own phone first, then its locations', contacts' and services'."""
    places: list[tuple[str, Any]] = [("", org)]
    for name in ("locations", "contacts", "services"):
        places += [(f"{name}[{i}].", item) for i, item in enumerate(_dicts(org.get(name)))]
    for prefix, place in places:
        for index, phone in enumerate(_dicts(place.get("phones"))):
            number = _str(phone.get("number")).strip("\"'").strip()
            if number:
                return f"{prefix}phones[{index}].number", number
    return "", ""


def _normalised_phone(number: str, region: str) -> str:
    """E.164 when the number reads in the address's country; else as given, for the card
    validator to judge (it reads national numbers as Finnish)."""
    try:
        return normalise_phone(number, region)
    except ValueError:
        return number


def _offers(draft: Draft, services: list[dict[str, Any]]) -> None:
    offers = []
    for index, service in enumerate(services):
        status = _str(service.get("status")).lower()
        title = _str(service.get("name"))
        if status in ("inactive", "defunct"):
            draft.warn(
                "offers",
                "service_not_active",
                f"service {index + 1} is {status} and was not kept as an offer",
            )
            continue
        schedules = _dicts(service.get("schedules"))
        offers.append(
            {
                "title": title,
                "description": _str(service.get("description")),
                "schedule": _schedule(schedules[0]) if schedules else "",
            }
        )
    if offers:
        draft.values["offers"] = offers
        draft.sources["offers"] = "services"


def _schedule(schedule: dict[str, Any]) -> str:
    if _str(schedule.get("description")):
        return _str(schedule["description"])
    days = _str(schedule.get("byday"))
    opens, closes = _str(schedule.get("opens_at"))[:5], _str(schedule.get("closes_at"))[:5]
    hours = f"{opens}-{closes}" if opens and closes else opens
    return " ".join(p for p in (days, hours) if p)


def _categories(draft: Draft, attributes: list[dict[str, Any]], refs: Checks) -> None:
    codes, foreign = [], []
    for attribute in attributes:
        term = attribute.get("taxonomy_term")
        code = _str(term.get("code")) if isinstance(term, dict) else ""
        code = code or _str(attribute.get("value"))
        if code and refs.category(code):
            codes.append(code)
        elif code:
            foreign.append(code)
    if codes:
        draft.values["categories"] = list(dict.fromkeys(codes))
        draft.sources["categories"] = "attributes"
    if foreign:
        draft.warn(
            "categories",
            "category_not_kept",
            f"taxonomy terms that are not Kortisto categories were not kept: "
            f"{', '.join(sorted(set(foreign)))}",
        )


def _not_kept(draft: Draft, org: dict[str, Any]) -> None:
    """Names the HSDS fields with values that have no place on the card."""
    dropped = sorted(k for k, v in org.items() if k not in ORG_MAPPED and _has_value(v))
    service_fields = sorted(
        {
            k
            for s in _dicts(org.get("services"))
            for k, v in s.items()
            if k not in SERVICE_MAPPED and k != "phones" and _has_value(v)
        }
    )
    dropped += [f"services.{k}" for k in service_fields]
    if dropped:
        draft.warn(
            None,
            "fields_not_kept",
            f"these HSDS fields have no place on the organisation card and were not kept: "
            f"{', '.join(dropped)}",
        )


def _has_value(value: Any) -> bool:
    return value not in (None, "", [], {})


def _conflicts(drafts: list[Draft], organizations: Iterable[dict[str, Any]]) -> None:
    """The same organization id twice: an error when the records differ, else a warning."""
    seen: dict[str, tuple[Draft, dict[str, Any]]] = {}
    for draft, org in zip(drafts, organizations, strict=True):
        if not draft.ref:
            continue
        if draft.ref not in seen:
            seen[draft.ref] = (draft, org)
            continue
        first, first_org = seen[draft.ref]
        if first_org == org:
            draft.error(
                "row",
                "duplicate_record",
                f"organization {draft.ref!r} is in the file twice (row {first.row})",
            )
            continue
        for one, other in ((first, draft), (draft, first)):
            one.errors.append(
                Issue(
                    code="conflicting_records",
                    field="row",
                    column="id",
                    related_rows=[other.row],
                    message=f"organization {draft.ref!r} is in the file twice with different "
                    f"values (rows {first.row} and {draft.row}); keep one",
                )
            )
