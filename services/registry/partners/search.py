"""Searching the pooled resource file: the caller's own partners and those other
organisations share with it, each marked with its owner, filtered without decrypting
(blind-index terms and plain coarse columns) and decrypted only for the page shown."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.registry.access import service as access
from services.registry.consent.models import ConsentGrant
from services.registry.identity.models import Organisation
from services.registry.partners import service as partners
from services.registry.partners import sharing, terms
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.partners.schemas import PartnerPage
from services.registry.pools.service import active_peers
from services.registry.reference import service as reference
from services.registry.runtime import Registry
from shared.auth import Principal
from shared.database import has_all, has_any
from shared.errors import Invalid


@dataclass(frozen=True)
class PartnerQuery:
    name: str = ""
    text: str = ""
    email: str = ""
    phone: str = ""
    district: str | None = None
    neighbours: bool = False
    category: str | None = None
    kind: str | None = None
    tie_strength: str | None = None
    status: str = PartnerStatus.active.value  # own partners; shared ones are always active
    not_contacted_for_days: int | None = None
    contacted_within_days: int | None = None
    # Own partners holding this consent now; another organisation's consents are its own.
    consent: str | None = None
    scope: str = "all"  # all | own | shared
    page: int = 1
    page_size: int = 25


def _owners_in_reach(session: Session, principal: Principal) -> set[str]:
    """Organisations whose partners the caller may find: itself, its pool peers, and those
    with partners consenting to be shared with it by name."""
    named = session.scalars(
        select(Partner.organisation_id)
        .distinct()
        .join(ConsentGrant, ConsentGrant.partner_id == Partner.id)
        .where(ConsentGrant.purpose == f"organisation:{principal.organisation_id}")
    )
    return {principal.organisation_id, *active_peers(session, principal.organisation_id), *named}


def _term_conditions(
    session: Session, registry: Registry, principal: Principal, query: PartnerQuery
) -> list[ColumnElement[bool]]:
    """One condition per query token: the partner holds one of its terms, under the key of
    any organisation in reach (a GIN bitmap on PostgreSQL)."""
    if not (query.name or query.text or query.email or query.phone):
        return []
    keyring = registry.keyring
    dialect = session.get_bind().dialect.name
    owners = sorted(_owners_in_reach(session, principal))

    def holds(kind: str, indexes: list[str]) -> ColumnElement[bool]:
        return has_any(dialect, Partner.terms, terms.tagged(kind, indexes))

    conditions = []
    for token in terms.name_query(query.name):
        indexes = [i for o in owners for i in keyring.term_indexes(session, o, "name", [token])]
        conditions.append(holds("name", indexes))
    for alternatives in terms.word_query(query.text):
        indexes = [
            i for o in owners for i in keyring.term_indexes(session, o, "text", alternatives)
        ]
        conditions.append(holds("text", indexes))
    for kind, value in (("email", query.email), ("phone", query.phone)):
        if not value:
            continue
        try:
            indexes = [i for o in owners if (i := keyring.blind_index(session, o, kind, value))]
        except ValueError as exc:
            raise Invalid(kind, str(exc)) from exc
        conditions.append(holds(kind, indexes))
    return conditions


def _filters(
    session: Session, principal: Principal, query: PartnerQuery
) -> list[ColumnElement[bool]]:
    today = principal.today()
    found: list[ColumnElement[bool]] = []
    if query.district:
        codes = {query.district}
        if query.neighbours:
            codes |= reference.neighbours(session, principal.organisation_id, query.district)
        found.append(Partner.district_code.in_(codes))
    if query.category:
        dialect = session.get_bind().dialect.name
        found.append(has_all(dialect, Partner.category_codes, [query.category]))
    if query.kind:
        found.append(Partner.kind == query.kind)
    if query.tie_strength:
        found.append(Partner.tie_strength == query.tie_strength)
    if query.not_contacted_for_days is not None:
        cutoff = today - timedelta(days=query.not_contacted_for_days)
        found.append(or_(Partner.last_contact_on.is_(None), Partner.last_contact_on < cutoff))
    if query.contacted_within_days is not None:
        found.append(Partner.last_contact_on >= today - timedelta(days=query.contacted_within_days))
    if query.consent:
        found.append(Partner.organisation_id == principal.organisation_id)
        found.append(sharing.holds_consent(query.consent, today))
    return found


def _visibility(session: Session, principal: Principal, query: PartnerQuery) -> ColumnElement[bool]:
    own = and_(
        sharing.own_visible(principal),
        Partner.status == query.status if query.status != "any" else Partner.status.isnot(None),
    )
    if query.scope == "own":
        return own
    shared = sharing.foreign_visible(session, principal)
    return shared if query.scope == "shared" else or_(own, shared)


def search(
    session: Session, registry: Registry, principal: Principal, query: PartnerQuery
) -> PartnerPage:
    sharing.require_reader(principal)
    conditions = [
        _visibility(session, principal, query),
        *_filters(session, principal, query),
        *_term_conditions(session, registry, principal, query),
    ]
    own_first = case((Partner.organisation_id == principal.organisation_id, 0), else_=1)
    order = (own_first, Partner.updated_at.desc(), Partner.id)
    # The total rides on the page's rows (a window count), so the filters run once. The
    # window holds every match, so it counts narrow rows (ids), and only the page's ids are
    # joined back to their whole rows.
    page = (
        select(Partner.id, func.count().over().label("total"))
        .where(*conditions)
        .order_by(*order)
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
        .subquery("page")
    )
    found = session.execute(
        select(Partner, page.c.total).join(page, page.c.id == Partner.id).order_by(*order)
    ).all()
    rows = [row.Partner for row in found]
    if found:
        total = found[0].total
    else:  # a page past the end still says how many there are
        total = session.scalar(select(func.count()).select_from(Partner).where(*conditions)) or 0
    foreign = [p for p in rows if p.organisation_id != principal.organisation_id]
    scopes = sharing.shared_scopes(session, principal, [p.id for p in foreign])
    owner_names = {
        org_id: name
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({p.organisation_id for p in rows})
            )
        )
    }
    items = []
    for partner in rows:
        view = scopes[partner.id][0] if partner.id in scopes else sharing.FULL
        card = partners.card_of(session, registry, partner)
        items.append(
            partners.summary(
                partner,
                principal,
                owner_names.get(partner.organisation_id, ""),
                view,
                card,
            )
        )
    if foreign:
        access.record(
            session,
            principal,
            [access.Access(p.id, p.organisation_id, "search", scopes[p.id][1]) for p in foreign],
        )
    return PartnerPage(items=items, total=total, page=query.page, page_size=query.page_size)
