"""Partners and their cards: creating, reading as far as the reader may, changing, and the
data-subject rights (export everything, erase)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.activities.models import Activity, Contribution
from services.registry.consent import service as consent
from services.registry.consent.models import ConsentGrant
from services.registry.consent.schemas import ConsentState
from services.registry.identity.models import Organisation
from services.registry.models import SCHEMA, outbox
from services.registry.partners import sharing, terms
from services.registry.partners.cards import (
    Card,
    CitizenCard,
    CompetenceCardIn,
    OrganisationCard,
    searchable_text,
)
from services.registry.partners.checks import Checks, Problems
from services.registry.partners.documents import seal, unseal
from services.registry.partners.models import (
    CompetenceCard,
    Partner,
    PartnerKind,
    PartnerStatus,
    TermKind,
)
from services.registry.partners.schemas import (
    CompetenceCardOut,
    Owner,
    PartnerOut,
    PartnerPatch,
    PartnerSummary,
)
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.crypto import seal_for
from shared.database import utcnow
from shared.errors import Forbidden, Invalid, NotFound
from shared.events import publish

CARD_TYPES: dict[str, TypeAdapter[Any]] = {
    PartnerKind.organisation.value: TypeAdapter(OrganisationCard),
    PartnerKind.citizen.value: TypeAdapter(CitizenCard),
}
PENDING_FIELDS = {"name", "contact"}


def parse_card(kind: str, data: dict[str, Any], field: str = "card") -> Card:
    """The card of its kind; ``Invalid`` names every wrong field of it at once."""
    try:
        card: Card = CARD_TYPES[kind].validate_python(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            problems.append(Invalid(f"{field}.{where}" if where else field, error["msg"]))
        raise Invalid.every(problems) from exc
    return card


def pending_card(card: Card) -> dict[str, Any]:
    """What a partner without `file` consent may keep: a name and a way to ask."""
    return {
        "name": card.name,
        "contact": {"email": card.contact.email, "phone": card.contact.phone},
    }


def set_categories(partner: Partner, codes: list[str]) -> None:
    partner.category_codes = sorted(set(codes))


def index_terms(
    session: Session,
    registry: Registry,
    partner: Partner,
    card: dict[str, Any],
    *,
    parsed: Card | None = None,
    competences: list[CompetenceCardOut] | None = None,
) -> None:
    """The partner's blind-index terms. A caller that has the card ``parsed`` already, or
    the ``competences`` (a new partner has none), saves doing it again."""
    keyring, org = registry.keyring, partner.organisation_id
    name_terms = keyring.term_indexes(session, org, "name", terms.name_prefixes(card["name"]))
    found = set(terms.tagged(TermKind.name.value, name_terms))
    for kind in ("email", "phone"):
        value = (card.get("contact") or {}).get(kind)
        index = keyring.blind_index(session, org, kind, value) if value else None
        if index:
            found.update(terms.tagged(kind, [index]))
    if partner.status != PartnerStatus.pending.value:
        parsed = parsed or parse_card(partner.kind, card)
        if competences is None:
            competences = competence_cards(session, registry, partner)
        texts = [*searchable_text(parsed), *(f"{c.title} {c.description}" for c in competences)]
        words = keyring.term_indexes(session, org, "text", terms.words(texts))
        found.update(terms.tagged(TermKind.text.value, words))
    partner.terms = sorted(found)


def refresh_statistics(session: Session) -> None:
    """Lets the query planner see the rows a long transaction has written so far. A bulk
    import adds thousands of partners in one transaction, which autovacuum cannot analyse:
    the planner then still believes the tables are as small as before and picks scans whose
    cost grows with every row. ANALYZE inside the transaction samples its own rows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {SCHEMA}.{Partner.__tablename__}"))


def find_visible(
    session: Session, principal: Principal, partner_id: str
) -> tuple[Partner, str, str]:
    """The partner, how much of it the caller sees and on what basis; 404 otherwise."""
    sharing.require_reader(principal)
    partner = session.scalar(
        select(Partner).where(Partner.id == partner_id, sharing.visible(session, principal))
    )
    if partner is None:
        raise NotFound("no such partner")
    if partner.organisation_id == principal.organisation_id:
        return partner, sharing.FULL, "owner"
    scope, purpose = sharing.shared_scopes(session, principal, [partner.id])[partner.id]
    return partner, scope, purpose


def find_own(session: Session, principal: Principal, partner_id: str) -> Partner:
    partner, view, _ = find_visible(session, principal, partner_id)
    if view != sharing.FULL:
        raise Forbidden("only the owning organisation can do this")
    return partner


def card_of(session: Session, registry: Registry, partner: Partner) -> dict[str, Any]:
    return unseal(session, registry.keyring, "partners", partner.id, partner.card_encrypted)


def summary(
    partner: Partner, principal: Principal, owner_name: str, view: str, card: dict[str, Any]
) -> PartnerSummary:
    return PartnerSummary(
        id=partner.id,
        owner=Owner(id=partner.organisation_id, name=owner_name),
        owned=partner.organisation_id == principal.organisation_id,
        view=view,
        kind=partner.kind,
        status=partner.status,
        name=card["name"],
        district_code=partner.district_code,
        category_codes=list(partner.category_codes),
        tie_strength=partner.tie_strength,
        last_contact_on=partner.last_contact_on,
    )


def partner_view(
    session: Session, registry: Registry, principal: Principal, partner: Partner, view: str
) -> PartnerOut:
    card = card_of(session, registry, partner)
    owner = session.get(Organisation, partner.organisation_id)
    base = summary(partner, principal, owner.name if owner else "", view, card)
    cards = competence_cards(session, registry, partner)
    if view != sharing.FULL:
        return PartnerOut(
            **base.model_dump(),
            card=sharing.card_for(card, view),
            card_updated_on=partner.card_updated_on,
            competence_cards=[
                CompetenceCardOut(id=c.id, kind=c.kind, domain=c.domain, title=c.title)
                for c in cards
            ],
        )
    grants = consent.current(session, partner.id)
    return PartnerOut(
        **base.model_dump(),
        card=card,
        card_updated_on=partner.card_updated_on,
        responsible_user_id=partner.responsible_user_id,
        purge_after=partner.purge_after,
        consents=[
            ConsentState(purpose=g.purpose, scope=g.scope, valid_until=g.valid_until, active=True)
            for g in sorted(grants.values(), key=lambda g: g.purpose)
        ],
        competence_cards=cards,
    )


def read_partner(
    session: Session, registry: Registry, principal: Principal, partner_id: str
) -> PartnerOut:
    partner, view, basis = find_visible(session, principal, partner_id)
    if view != sharing.FULL:
        access.record(
            session, principal, [access.Access(partner.id, partner.organisation_id, "read", basis)]
        )
    return partner_view(session, registry, principal, partner, view)


def update_partner(
    session: Session, registry: Registry, principal: Principal, partner_id: str, patch: PartnerPatch
) -> PartnerOut:
    partner = find_own(session, principal, partner_id)
    changes = patch.model_dump(exclude_unset=True)
    checks = Checks(session, partner.organisation_id)
    problems = Problems()
    if "district_code" in changes or "category_codes" in changes:
        problems.check(
            checks.reference,
            patch.district_code if "district_code" in changes else partner.district_code,
            patch.category_codes or [],
        )
    if patch.responsible_user_id is not None:
        problems.check(checks.member, patch.responsible_user_id, "responsible_user_id")
    card = problems.check(parse_card, partner.kind, patch.card) if patch.card is not None else None
    if patch.status is not None and PartnerStatus.pending.value in (partner.status, patch.status):
        problems.add(
            Invalid("status", "a partner becomes pending or active through `file` consent")
        )
    problems.raise_any()
    if patch.responsible_user_id is not None:
        partner.responsible_user_id = patch.responsible_user_id
    if "district_code" in changes:
        partner.district_code = patch.district_code
    if patch.category_codes is not None:
        set_categories(partner, patch.category_codes)
    if patch.tie_strength is not None:
        partner.tie_strength = patch.tie_strength.value
    if patch.status is not None:
        partner.status = patch.status.value
    if card is not None:
        document = card.model_dump(mode="json")
        if partner.status == PartnerStatus.pending.value:
            document = pending_card(card)
        partner.card_encrypted = seal(
            session, registry.keyring, partner, "partners", partner.id, document
        )
        partner.card_updated_on = principal.today()
        index_terms(session, registry, partner, document)
    partner.updated_at = datetime.now(UTC)
    publish_upserted(session, registry, partner)
    return partner_view(session, registry, principal, partner, sharing.FULL)


def competence_cards(
    session: Session, registry: Registry, partner: Partner
) -> list[CompetenceCardOut]:
    rows = session.scalars(
        select(CompetenceCard)
        .where(CompetenceCard.partner_id == partner.id)
        .order_by(CompetenceCard.created_at)
    )
    return [
        CompetenceCardOut(
            id=c.id,
            kind=c.kind,
            domain=c.domain,
            **unseal(session, registry.keyring, "competence_cards", c.id, c.card_encrypted),
        )
        for c in rows
    ]


def add_competence_card(
    session: Session,
    registry: Registry,
    principal: Principal,
    partner_id: str,
    data: CompetenceCardIn,
) -> CompetenceCardOut:
    partner = find_own(session, principal, partner_id)
    if partner.kind != PartnerKind.citizen.value:
        raise Invalid("kind", "competence and strength cards belong to citizens")
    if partner.status == PartnerStatus.pending.value:
        raise Invalid("partner", "a pending partner has no cards until `file` consent is given")
    card = CompetenceCard(
        partner_id=partner.id, kind=data.kind, domain=data.domain, card_encrypted=b""
    )
    session.add(card)
    session.flush()
    detail = {"title": data.title, "description": data.description, "preferences": data.preferences}
    card.card_encrypted = seal(
        session, registry.keyring, partner, "competence_cards", card.id, detail
    )
    index_terms(session, registry, partner, card_of(session, registry, partner))
    publish_upserted(session, registry, partner)
    return CompetenceCardOut(id=card.id, kind=card.kind, domain=card.domain, **detail)


def remove_competence_card(
    session: Session, registry: Registry, principal: Principal, partner_id: str, card_id: str
) -> None:
    partner = find_own(session, principal, partner_id)
    card = session.get(CompetenceCard, card_id)
    if card is None or card.partner_id != partner.id:
        raise NotFound("no such card")
    session.delete(card)
    session.flush()
    index_terms(session, registry, partner, card_of(session, registry, partner))
    publish_upserted(session, registry, partner)


def matching_document(
    session: Session,
    registry: Registry,
    partner: Partner,
    card: dict[str, Any],
    competences: list[CompetenceCardOut] | None,
) -> dict[str, Any]:
    """What the `matching` consent lets the matching service hold about a partner; its
    competence cards are read unless given."""
    document = sharing.card_for(card, "contact")
    document.pop("contact", None)
    if competences is None:
        competences = competence_cards(session, registry, partner)
    document["competences"] = [
        {"kind": c.kind, "domain": c.domain, "title": c.title, "description": c.description}
        for c in competences
    ]
    return document


def publish_upserted(
    session: Session,
    registry: Registry,
    partner: Partner,
    *,
    rebuild_generation: int = 0,
    new: tuple[dict[str, Any], dict[str, ConsentGrant]] | None = None,
) -> None:
    """Coarse attributes in the clear; the matchable card fields only with `matching`
    consent, sealed for the matching service. ``changed_at`` lets a consumer ignore an
    older state that arrives after a newer one. ``new`` is the card and grants of a partner
    created in this transaction (it has no competence cards yet): nothing is read back."""
    if new:
        card, grants = new
    else:
        card, grants = card_of(session, registry, partner), consent.current(session, partner.id)
    competences: list[CompetenceCardOut] | None = [] if new else None
    matching = partner.status == PartnerStatus.active.value and "matching" in grants
    payload: dict[str, Any] = {
        "changed_at": utcnow().isoformat(timespec="microseconds"),
        "rebuild_generation": rebuild_generation,
        "partner_id": partner.id,
        "organisation_id": partner.organisation_id,
        "kind": partner.kind,
        "status": partner.status,
        "district_code": partner.district_code,
        "category_codes": list(partner.category_codes),
        "tie_strength": partner.tie_strength,
        "last_contact_on": partner.last_contact_on.isoformat() if partner.last_contact_on else None,
        "purposes": sorted(grants),
        "valid_until": {p: g.valid_until.isoformat() for p, g in grants.items() if g.valid_until},
        "matching": matching,
        "responsible_user_id": partner.responsible_user_id,
        "card_updated_on": partner.card_updated_on.isoformat(),
        "purge_after": partner.purge_after.isoformat() if partner.purge_after else None,
        "sealed_reminders": seal_for(
            registry.keyring.provider,
            "reminders",
            partner.id,
            reminders_document(partner, card, set(grants)),
        ),
    }
    if matching:
        payload["sealed"] = seal_for(
            registry.keyring.provider,
            "matching",
            partner.id,
            matching_document(session, registry, partner, card, competences),
        )
    publish(session, outbox, "partner.upserted", **payload)


def reminders_document(
    partner: Partner, card: dict[str, Any], purposes: set[str]
) -> dict[str, Any]:
    """What reminders may hold: the name (for the staff member's reminder), the e-mail only
    to send what the partner agreed to (newsletters, greetings) or, for a pending partner,
    to ask for consent; the birthday only with `greetings` consent."""
    document: dict[str, Any] = {"name": card.get("name", "")}
    email = (card.get("contact") or {}).get("email")
    pending = partner.status == PartnerStatus.pending.value
    if email and (pending or purposes & {"newsletter", "greetings"}):
        document["email"] = email
    if "greetings" in purposes and card.get("birthday"):
        document["birthday"] = str(card["birthday"])
    return document


def after_consent_change(session: Session, registry: Registry, partner: Partner) -> None:
    """`file` consent decides whether a partner is in the resource file at all: granted, a
    pending partner becomes active; withdrawn or expired, only a name and a way to ask stay
    (pending), its cards and logs go, and it is purged after the configured days."""
    has_file = consent.FILE in consent.current(session, partner.id)
    pending = partner.status == PartnerStatus.pending.value
    if has_file and pending:
        partner.status = PartnerStatus.active.value
        partner.purge_after = None
    elif not has_file and not pending:
        card = parse_card(partner.kind, card_of(session, registry, partner))
        document = pending_card(card)
        partner.status = PartnerStatus.pending.value
        partner.purge_after = date.today() + timedelta(days=registry.settings.pending_partner_days)
        partner.card_encrypted = seal(
            session, registry.keyring, partner, "partners", partner.id, document
        )
        for model in (CompetenceCard, Activity, Contribution):
            session.execute(delete(model).where(model.partner_id == partner.id))
        index_terms(session, registry, partner, document)
    publish_upserted(session, registry, partner)
