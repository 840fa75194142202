"""Creating partners, one from a form or thousands from an import, the same way. Each is
first checked, and nothing is written for one that fails. The checked ones are then written
together: their rows, data keys, consent and events go in a few statements, and what they
might duplicate is found with one query."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ARRAY, Text, and_, cast, func, select, true
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session

from services.registry.consent import service as consent
from services.registry.consent.schemas import SHARING
from services.registry.partners import service, sharing, terms
from services.registry.partners.cards import Card
from services.registry.partners.checks import Checks, Problems
from services.registry.partners.documents import seal
from services.registry.partners.models import Partner, PartnerStatus, TermKind
from services.registry.partners.schemas import PartnerIn, PartnerOut
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.database import elements, new_id
from shared.errors import Invalid
from shared.events import batched_events

CONTACT_TERMS = {TermKind.email.value, TermKind.phone.value}


@dataclass
class NewPartner:
    """A partner found sound and ready to be written: the card as it will be kept (only a
    name and a way to ask while it is pending) and who is responsible for it."""

    data: PartnerIn
    card: Card
    document: dict[str, Any]
    active: bool
    responsible_user_id: str | None


def check(checks: Checks, principal: Principal, data: PartnerIn) -> NewPartner:
    """Raises ``Invalid`` naming every field that is wrong (the first as its ``field``);
    reads, never writes."""
    problems = Problems()
    card = problems.check(service.parse_card, data.kind.value, data.card)
    problems.check(checks.reference, data.district_code, data.category_codes)
    responsible = data.responsible_user_id or principal.user_id
    if responsible is not None:
        problems.check(checks.member, responsible, "responsible_user_id")
    problems.check(consent.check_dates, data.consents, principal.today(), "consents")
    problems.check(consent.require_file, data.consents, False, "consents")
    for index, entry in enumerate(data.consents):
        problem = checks.sharing_problem(entry.purpose) if SHARING.match(entry.purpose) else None
        if problem:
            problems.add(Invalid(f"consents[{index}].purpose", problem))
    problems.raise_any()
    assert card is not None
    active = any(c.purpose == consent.FILE for c in data.consents)
    document = card.model_dump(mode="json")
    if not active:
        kept = {k for k, v in document.items() if v not in ("", [], None, {})}
        if kept - service.PENDING_FIELDS or card.contact.address or card.contact.website:
            raise Invalid(
                "consents",
                "without `file` consent only a name and a way to ask (e-mail or phone) may be kept",
            )
        if not (card.contact.email or card.contact.phone):
            raise Invalid(
                "card.contact", "a pending partner needs an e-mail or a phone to ask for consent"
            )
        document = service.pending_card(card)
    return NewPartner(data, card, document, active, responsible)


def write(
    session: Session, registry: Registry, principal: Principal, checked: Sequence[NewPartner]
) -> list[Partner]:
    """Writes checked partners of the caller's organisation, in their order."""
    org, keyring, today = principal.organisation_id, registry.keyring, principal.today()
    pending_until = today + timedelta(days=registry.settings.pending_partner_days)
    made = [
        Partner(
            id=new_id(),
            organisation_id=org,
            kind=item.data.kind.value,
            status=PartnerStatus.active.value if item.active else PartnerStatus.pending.value,
            responsible_user_id=item.responsible_user_id,
            district_code=item.data.district_code,
            tie_strength=item.data.tie_strength.value,
            card_updated_on=today,
            purge_after=None if item.active else pending_until,
        )
        for item in checked
    ]
    with session.no_autoflush, batched_events(session):
        keyring.new_subject_keys(session, org, [p.id for p in made])
        for partner, item in zip(made, checked, strict=True):
            partner.card_encrypted = seal(
                session, keyring, partner, "partners", partner.id, item.document
            )
            service.set_categories(partner, item.data.category_codes)
            service.index_terms(
                session, registry, partner, item.document, parsed=item.card, competences=[]
            )
        session.add_all(made)
        session.flush()  # the rows their consent refers to, in one statement
        for partner, item in zip(made, checked, strict=True):
            grants = (
                consent.grant_new(session, keyring, partner, item.data.consents, principal)
                if item.data.consents
                else {}
            )
            service.publish_upserted(session, registry, partner, new=(item.document, grants))
    session.flush()
    return made


def duplicates_of(
    session: Session, registry: Registry, written: Sequence[tuple[Partner, dict[str, Any]]]
) -> dict[str, list[str]]:
    """For each partner (and its card), the organisation's other partners with the same
    e-mail, the same phone or every token of its name."""
    if not written:
        return {}
    org = written[0][0].organisation_id
    wanted = {
        partner.id: [tuple(sorted(s)) for s in _identifying_terms(session, registry, partner, card)]
        for partner, card in written
    }
    holders = _holders(session, org, sorted(set().union(*wanted.values())))
    return {
        partner_id: sorted({other for s in sets for other in holders.get(s, ())} - {partner_id})
        for partner_id, sets in wanted.items()
    }


def _holders(
    session: Session, organisation_id: str, sets: list[tuple[str, ...]]
) -> dict[tuple[str, ...], set[str]]:
    """The organisation's partners that hold every term of each set, with one query for
    them all. On PostgreSQL each set, as one comma-joined text, is looked up in the terms'
    GIN index (terms are ``<kind>:<hex>``, never with a comma). SQLite has no such index:
    there the partners' terms are read once, keeping only the wanted ones."""
    found: dict[tuple[str, ...], set[str]] = {}
    own = Partner.organisation_id == organisation_id
    if not sets:
        return found
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        each = elements(dialect, Partner.terms)
        holding: dict[str, set[str]] = {}
        for partner_id, term in session.execute(
            select(Partner.id, each.c.value)
            .join(each, true())
            .where(own, each.c.value.in_({t for s in sets for t in s}))
        ):
            holding.setdefault(term, set()).add(partner_id)
        for terms_set in sets:
            found[terms_set] = set.intersection(*(holding.get(t, set()) for t in terms_set))
        return found
    wanted = (
        func.unnest(cast(array([",".join(s) for s in sets]), ARRAY(Text)))
        .table_valued("joined")
        .render_derived()
    )
    rows = session.execute(
        select(wanted.c.joined, Partner.id).join(
            Partner,
            and_(own, Partner.terms.op("@>")(func.string_to_array(wanted.c.joined, ","))),
        )
    )
    for joined, partner_id in rows:
        found.setdefault(tuple(joined.split(",")), set()).add(partner_id)
    return found


def _identifying_terms(
    session: Session, registry: Registry, partner: Partner, card: dict[str, Any]
) -> list[list[str]]:
    """The sets of terms that each identify a partner: its e-mail, its phone (both among
    its terms already), its whole name (every token)."""
    sets = [[t] for t in partner.terms if t.split(":", 1)[0] in CONTACT_TERMS]
    tokens = registry.keyring.term_indexes(
        session, partner.organisation_id, "name", terms.name_query(card["name"])
    )
    if tokens:
        sets.append(terms.tagged(TermKind.name.value, tokens))
    return sets


def create_partner(
    session: Session, registry: Registry, principal: Principal, data: PartnerIn
) -> PartnerOut:
    sharing.require_reader(principal)
    item = check(Checks(session, principal.organisation_id), principal, data)
    (partner,) = write(session, registry, principal, [item])
    out = service.partner_view(session, registry, principal, partner, sharing.FULL)
    out.possible_duplicates = duplicates_of(session, registry, [(partner, item.document)])[
        partner.id
    ]
    return out
