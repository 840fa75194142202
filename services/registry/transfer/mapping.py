"""The columns of an import or export and the partner fields they hold: headers in Finnish
and English, a mapping given with the request, and reading cell values (kinds, yes/no,
dates in Finnish or ISO form, lists separated by ``;``)."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.registry.consent.schemas import SIMPLE_PURPOSES
from services.registry.partners.models import PartnerKind, TieStrength
from services.registry.partners.terms import fold
from services.registry.transfer.schemas import WARNING, ColumnReport, Issue
from services.registry.transfer.tabular import Cell

ORG = PartnerKind.organisation.value
CITIZEN = PartnerKind.citizen.value
BOTH = (ORG, CITIZEN)
LIST_SEPARATOR = re.compile(r"[;\n]")
OFFER_PARTS = "|"


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    fi: str
    aliases: tuple[str, ...] = ()
    kinds: tuple[str, ...] = BOTH
    importable: bool = True

    def header(self, lang: str) -> str:
        return self.fi if lang == "fi" else self.en


def _consent(purpose: str, fi: str, *aliases: str) -> Column:
    return Column(f"consent_{purpose}", f"Consent: {purpose}", f"Suostumus: {fi}", aliases)


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", "Tunniste", importable=False),
    Column("owner", "Owner", "Omistaja", importable=False),
    Column("view", "View", "Näkymä", importable=False),
    Column("status", "Status", "Tila", importable=False),
    Column("kind", "Kind", "Tyyppi", ("type", "partner type", "laji", "kumppanin tyyppi")),
    Column(
        "name",
        "Name",
        "Nimi",
        (
            "full name",
            "partner",
            "organisation name",
            "organization name",
            "koko nimi",
            "kumppani",
            "organisaation nimi",
        ),
    ),
    Column(
        "email",
        "Email",
        "Sähköposti",
        (
            "e-mail",
            "email address",
            "e-mail address",
            "sähköpostiosoite",
            "sposti",
            "s-posti",
            "e-posti",
        ),
    ),
    Column(
        "phone",
        "Phone",
        "Puhelin",
        (
            "phone number",
            "telephone",
            "tel",
            "mobile",
            "puhelinnumero",
            "puh",
            "puh nro",
            "matkapuhelin",
            "gsm",
        ),
    ),
    Column("address", "Address", "Osoite", ("street address", "katuosoite", "käyntiosoite")),
    Column(
        "website",
        "Website",
        "Verkkosivut",
        (
            "web",
            "www",
            "url",
            "homepage",
            "web site",
            "kotisivu",
            "kotisivut",
            "verkkosivu",
            "nettisivut",
        ),
    ),
    Column(
        "district",
        "District",
        "Postinumero",
        (
            "district code",
            "postal code",
            "postcode",
            "post code",
            "zip",
            "zip code",
            "area",
            "alue",
            "postinumeroalue",
        ),
    ),
    Column(
        "categories",
        "Categories",
        "Luokat",
        (
            "category",
            "category codes",
            "luokka",
            "kategoria",
            "kategoriat",
            "palveluluokka",
            "palveluluokat",
        ),
    ),
    Column(
        "tie_strength",
        "Tie strength",
        "Suhde",
        ("tie", "relationship", "suhteen vahvuus", "side"),
    ),
    Column("target_group", "Target group", "Kohderyhmä", kinds=(ORG,)),
    Column("facilities", "Facilities", "Tilat", ("tilat ja välineet",), kinds=(ORG,)),
    Column(
        "offers",
        "Offers",
        "Tarjonta",
        ("offer", "services", "activities", "palvelut", "toiminta", "tarjoukset"),
        kinds=(ORG,),
    ),
    Column("contact_person", "Contact person", "Yhteyshenkilö", kinds=(ORG,)),
    Column("responsible_person", "Responsible person", "Vastuuhenkilö", kinds=(ORG,)),
    Column(
        "resources_available",
        "Resources available",
        "Resurssit tarjolla",
        ("available resources", "tarjolla olevat resurssit", "käytettävissä olevat resurssit"),
        kinds=(ORG,),
    ),
    Column(
        "resources_needed",
        "Resources needed",
        "Resurssitarpeet",
        ("needed resources", "needs", "tarvittavat resurssit", "tarpeet"),
        kinds=(ORG,),
    ),
    Column("skills", "Skills", "Taidot", ("osaaminen",), kinds=(CITIZEN,)),
    Column(
        "information_needed",
        "Information needed",
        "Tiedontarve",
        ("tiedon tarve", "tarvittava tieto"),
        kinds=(CITIZEN,),
    ),
    Column(
        "birthday",
        "Birthday",
        "Syntymäpäivä",
        ("date of birth", "birth date", "syntymäaika", "syntymäpvm"),
        kinds=(CITIZEN,),
    ),
    Column(
        "notes",
        "Notes",
        "Muistiinpanot",
        ("note", "comments", "remarks", "huomiot", "lisätiedot", "kommentit"),
    ),
    _consent("file", "kortisto", "consent: resource file", "suostumus: tallennus"),
    _consent("team", "tiimi"),
    _consent("matching", "ehdotukset", "suostumus: yhdistäminen"),
    _consent("newsletter", "uutiskirje"),
    _consent("greetings", "tervehdykset", "suostumus: onnittelut"),
    _consent("statistics", "tilastot"),
    Column(
        "consent_date",
        "Consent date",
        "Suostumuspäivä",
        ("consent obtained on", "consent given on", "suostumus annettu", "suostumuksen päivämäärä"),
    ),
    Column("last_contact_on", "Last contact", "Viimeisin yhteys", importable=False),
    Column("card_updated_on", "Card updated", "Kortti päivitetty", importable=False),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("name",)
CONSENT_KEYS = {f"consent_{p}": p for p in SIMPLE_PURPOSES}
_SHARING_HEADER = re.compile(
    r"^\s*(?:consent|suostumus)[\s_:]*(pool|organisation|organization|pooli|organisaatio)"
    r"[\s_:]+([0-9a-fA-F-]{36})\s*$"
)
_SHARING_KIND = {"pool": "pool", "pooli": "pool"}


def normalise_header(header: str) -> str:
    return re.sub(r"[\s_\-:./()]+", " ", fold(header)).strip()


def _known_headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for column in COLUMNS:
        for header in (column.key, column.en, column.fi, *column.aliases):
            known.setdefault(normalise_header(header), column.key)
    return known


KNOWN_HEADERS = _known_headers()


def sharing_purpose(header: str) -> str | None:
    """``pool:<id>`` or ``organisation:<id>`` for a header such as ``consent_pool:<id>``."""
    match = _SHARING_HEADER.match(header)
    if match is None:
        return None
    kind = _SHARING_KIND.get(match.group(1).lower(), "organisation")
    return f"{kind}:{match.group(2).lower()}"


def field_for_header(header: str) -> str | None:
    purpose = sharing_purpose(header)
    if purpose is not None:
        return f"consent_{purpose}"
    return KNOWN_HEADERS.get(normalise_header(header))


def is_field(key: str) -> bool:
    return key in BY_KEY or key.startswith(("consent_pool:", "consent_organisation:"))


def label(key: str) -> str:
    column = BY_KEY.get(key)
    return column.en if column else key


@dataclass
class Columns:
    """Which file column (by index) gives which partner field."""

    fields: dict[int, str]
    report: list[ColumnReport]
    errors: list[Issue]
    warnings: list[Issue]

    def source(self, headers: list[str]) -> dict[str, str]:
        return {key: headers[index] for index, key in self.fields.items()}


def parse_mapping(raw: str | None) -> dict[str, str | None] | None:
    """The mapping form field: a JSON object from file column to partner field."""
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the mapping is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise ValueError('the mapping must be a JSON object like {"Nimi": "name"}')
    return value


def resolve_columns(
    headers: list[str], mapping: dict[str, str | None] | None, *, kind_given: bool
) -> Columns:
    fields: dict[int, str] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    if mapping is not None:
        positions = {h: i for i, h in reversed(list(enumerate(headers)))}
        for column, key in mapping.items():
            if column not in positions:
                errors.append(_mapping_error(column, f"the file has no column {column!r}"))
            elif key is not None and not (is_field(key) and _importable(key)):
                message = f"{key!r} is not a field that can be imported"
                errors.append(_mapping_error(column, message))
            elif key is not None:
                fields[positions[column]] = key
    else:
        for index, header in enumerate(headers):
            key = field_for_header(header) if header else None
            if key is not None and _importable(key):
                fields[index] = key
            elif key is None:
                warnings.append(
                    Issue(
                        code="unknown_column",
                        severity=WARNING,
                        column=header or f"#{index + 1}",
                        message=f"column {header or index + 1!r} is not a known field and "
                        "was ignored; give a mapping to read it",
                    )
                )
    seen: dict[str, int] = {}
    for index, key in sorted(fields.items()):
        if key in seen:
            errors.append(
                Issue(
                    code="duplicate_column",
                    field=key,
                    column=headers[index],
                    message=f"columns {headers[seen[key]]!r} and {headers[index]!r} both give "
                    f"{label(key).lower()}; keep one or map one of them elsewhere",
                )
            )
        else:
            seen[key] = index
    required = [*REQUIRED, *(() if kind_given else ("kind",))]
    missing = [k for k in required if k not in seen]
    if missing:
        names = ", ".join(f"{BY_KEY[k].en} ({BY_KEY[k].fi})" for k in missing)
        hint = "" if "kind" not in missing else "; or choose one kind for the whole file"
        errors.append(
            Issue(
                code="missing_columns",
                field=",".join(missing),
                message=f"the file has no column for: {names}{hint}",
            )
        )
    report = [
        ColumnReport(column=header, field=fields.get(index)) for index, header in enumerate(headers)
    ]
    return Columns(fields, report, errors, warnings)


def _importable(key: str) -> bool:
    column = BY_KEY.get(key)
    return column is None or column.importable


def _mapping_error(column: str, message: str) -> Issue:
    return Issue(code="mapping_invalid", field="mapping", column=column, message=message)


# --- cell values ---------------------------------------------------------------------------


class BadValue(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_KINDS = {
    "organisation": ORG, "organization": ORG, "org": ORG, "organisaatio": ORG, "yhteiso": ORG,
    "yhdistys": ORG, "yritys": ORG, "citizen": CITIZEN, "person": CITIZEN, "individual": CITIZEN,
    "kansalainen": CITIZEN, "henkilo": CITIZEN, "yksityishenkilo": CITIZEN,
}  # fmt: skip
_TIES = {"strong": "strong", "vahva": "strong", "weak": "weak", "heikko": "weak"}
_YES = {"yes", "y", "true", "1", "x", "kylla", "k", "on", "ok"}
_NO = {"no", "n", "false", "0", "ei", "e", "-"}
_SCOPES = {"basic": "basic", "perustiedot": "basic", "contact": "contact",
           "yhteystiedot": "contact"}  # fmt: skip
_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else str(cell)
    value = str(cell).strip()
    # An apostrophe that a spreadsheet export put before "=", "+", "-" or "@" (see tabular).
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        value = value[1:]
    return value


def split_list(value: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATOR.split(value) if item.strip()]


def parse_kind(value: str) -> str:
    found = _KINDS.get(fold(value))
    if found is None:
        raise BadValue("invalid_value", "the kind must be organisation or citizen")
    return found


def parse_tie(value: str) -> str:
    found = _TIES.get(fold(value))
    if found is None:
        raise BadValue("invalid_value", "the tie strength must be strong or weak")
    return TieStrength(found).value


def parse_yes_no(value: str) -> bool:
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise BadValue("invalid_value", "answer yes or no (kyllä or ei)")


def parse_sharing(value: str, default_scope: str) -> str | None:
    """The scope a pool or organisation consent cell gives, or None for no."""
    scope = _SCOPES.get(fold(value))
    if scope is not None:
        return scope
    return default_scope if parse_yes_no(value) else None


def parse_date(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell)
    match = _FINNISH_DATE.match(value)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _ISO_DATE.match(value)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise BadValue("invalid_date", "no such date") from exc
    raise BadValue("invalid_date", "write the date as d.m.yyyy (17.5.1980) or yyyy-mm-dd")


def parse_offers(value: str) -> list[dict[str, str]]:
    """Offers separated by ``;``, each ``title | description | schedule``."""
    offers = []
    for item in split_list(value):
        parts = [p.strip() for p in item.split(OFFER_PARTS)]
        if len(parts) > 3:
            raise BadValue(
                "invalid_value", "an offer is 'title | description | schedule'; too many parts"
            )
        title, description, schedule = [*parts, "", ""][:3]
        offers.append({"title": title, "description": description, "schedule": schedule})
    return offers


def format_offer(offer: dict[str, Any]) -> str:
    parts = [offer.get("title", ""), offer.get("description", ""), offer.get("schedule", "")]
    while parts and not parts[-1]:
        parts.pop()
    return f" {OFFER_PARTS} ".join(parts)


def district_code(cell: Cell) -> str:
    """A postal code that a spreadsheet stored as a number gets its leading zeros back."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return text(cell).zfill(5)
    return text(cell)
