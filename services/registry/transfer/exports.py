"""Exports of the partners a caller may see, found with the same search as the list and
paged through to the end: CSV (streamed) and XLSX. Partners of other organisations carry
only the fields their consent shares. Every exported partner, own or shared, is written to
the access log with the action ``export`` before its data leaves."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.consent import service as consent
from services.registry.consent.schemas import SIMPLE_PURPOSES
from services.registry.partners import search, sharing
from services.registry.partners import service as partners
from services.registry.partners.models import Partner
from services.registry.runtime import Registry
from services.registry.transfer import mapping, tabular
from services.registry.transfer.mapping import COLUMNS
from shared.auth import Principal

PAGE_SIZE = 100
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
OWNER_BASIS = "owner"
WORDS = {
    "fi": {
        "organisation": "organisaatio",
        "citizen": "kansalainen",
        "strong": "vahva",
        "weak": "heikko",
        "yes": "kyllä",
        "no": "ei",
        "full": "kaikki",
        "contact": "yhteystiedot",
        "basic": "perustiedot",
        "active": "aktiivinen",
        "inactive": "ei aktiivinen",
        "pending": "odottaa suostumusta",
    }
}


@dataclass
class Exported:
    """One partner as the caller may export it."""

    partner: Partner
    view: str
    basis: str
    owner_name: str
    card: dict[str, Any]
    categories: list[str]
    purposes: set[str] = field(default_factory=set)

    @property
    def owned(self) -> bool:
        return self.view == sharing.FULL


def pages(
    session: Session, registry: Registry, principal: Principal, query: search.PartnerQuery
) -> Iterator[list[Exported]]:
    """The partners the search finds, a page at a time, each page in the access log."""
    for number in itertools.count(1):
        found = search.search(
            session, registry, principal, replace(query, page=number, page_size=PAGE_SIZE)
        )
        if not found.items:
            return
        ids = [item.id for item in found.items]
        rows = {p.id: p for p in session.scalars(select(Partner).where(Partner.id.in_(ids)))}
        scopes = sharing.shared_scopes(
            session, principal, [item.id for item in found.items if not item.owned]
        )
        exported = []
        for item in found.items:
            partner = rows.get(item.id)
            if partner is None or not (item.owned or item.id in scopes):
                continue  # erased, or its consent ended, since the search
            view, basis = (sharing.FULL, OWNER_BASIS) if item.owned else scopes[item.id]
            card = sharing.card_for(partners.card_of(session, registry, partner), view)
            exported.append(
                Exported(
                    partner=partner,
                    view=view,
                    basis=basis,
                    owner_name=item.owner.name,
                    card=card,
                    categories=item.category_codes,
                    purposes=set(consent.current(session, partner.id)) if item.owned else set(),
                )
            )
        access.record(
            session,
            principal,
            [
                access.Access(e.partner.id, e.partner.organisation_id, "export", e.basis)
                for e in exported
            ],
        )
        yield exported
        if len(found.items) < PAGE_SIZE:
            return


# --- rows ----------------------------------------------------------------------------------


def headers(lang: str) -> list[str]:
    return [c.header(lang) for c in COLUMNS]


def _word(value: str, lang: str) -> str:
    return WORDS.get(lang, {}).get(value, value)


def display_phone(value: str | None) -> str:
    """E.164 as people write it (+358 40 1234567); import reads both."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def row(e: Exported, lang: str) -> list[tabular.Cell]:
    card, partner = e.card, e.partner
    contact = card.get("contact") or {}
    values: dict[str, tabular.Cell] = {
        "id": partner.id,
        "owner": e.owner_name,
        "view": _word(e.view, lang),
        "status": _word(partner.status, lang),
        "kind": _word(partner.kind, lang),
        "name": card.get("name", ""),
        "email": contact.get("email") or "",
        "phone": display_phone(contact.get("phone")),
        "address": contact.get("address") or "",
        "website": contact.get("website") or "",
        "district": partner.district_code or "",
        "categories": "; ".join(e.categories),
        "tie_strength": _word(partner.tie_strength, lang),
        "offers": "; ".join(mapping.format_offer(o) for o in card.get("offers", [])),
        "birthday": date.fromisoformat(card["birthday"]) if card.get("birthday") else None,
        "last_contact_on": partner.last_contact_on,
        "card_updated_on": partner.card_updated_on,
    }
    for key in ("resources_available", "resources_needed", "skills"):
        values[key] = "; ".join(card.get(key, []))
    for key in (
        "target_group",
        "facilities",
        "contact_person",
        "responsible_person",
        "information_needed",
        "notes",
    ):
        values[key] = card.get(key, "")
    if e.owned:
        for purpose in SIMPLE_PURPOSES:
            values[f"consent_{purpose}"] = _word("yes" if purpose in e.purposes else "no", lang)
    return [values.get(c.key) for c in COLUMNS]


def _csv_cell(value: tabular.Cell, lang: str) -> tabular.Cell:
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}" if lang == "fi" else value.isoformat()
    return value


# --- files ---------------------------------------------------------------------------------


def csv_delimiter(lang: str) -> str:
    return ";" if lang == "fi" else ","  # what Excel expects in each locale


def csv_chunks(
    registry: Registry, principal: Principal, query: search.PartnerQuery, lang: str
) -> Iterator[str]:
    """The CSV in chunks, one page each. The first chunk is made before this returns, so a
    bad query is answered with an error, not a broken file. Each page's access-log entries
    are committed before the page is sent."""
    chunks = _csv_chunks(registry, principal, query, lang)
    first = next(chunks)
    return itertools.chain([first], chunks)


def _csv_chunks(
    registry: Registry, principal: Principal, query: search.PartnerQuery, lang: str
) -> Iterator[str]:
    delimiter = csv_delimiter(lang)
    header = BOM + "".join(tabular.csv_lines([list(headers(lang))], delimiter))
    with registry.database.session() as session:
        found = pages(session, registry, principal, query)
        first = next(found, [])
        session.commit()
        yield header + _csv_page(first, lang, delimiter)
        for page in found:
            session.commit()
            yield _csv_page(page, lang, delimiter)


def _csv_page(page: list[Exported], lang: str, delimiter: str) -> str:
    lines = ([_csv_cell(v, lang) for v in row(e, lang)] for e in page)
    return "".join(tabular.csv_lines(lines, delimiter))


def xlsx_file(
    session: Session,
    registry: Registry,
    principal: Principal,
    query: search.PartnerQuery,
    lang: str,
) -> bytes:
    rows = (row(e, lang) for page in pages(session, registry, principal, query) for e in page)
    return tabular.xlsx_bytes(headers(lang), rows, "Kumppanit" if lang == "fi" else "Partners")
