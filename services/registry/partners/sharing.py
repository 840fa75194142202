"""Who sees which partners, and which fields of their cards.

Inside the owning organisation a partner is seen by admins, by its responsible staff
member, and by everyone else only with `team` consent. Another organisation sees a partner
only with consent naming it or a pool both are active in, and only the fields of that
consent's scope — never the birthday, notes, information needs, activities or
contributions."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from services.registry.consent.models import ConsentGrant
from services.registry.consent.service import (
    grant_is_valid,
    sharing_condition,
    sharing_purposes_for,
    sharing_targets,
)
from services.registry.partners.models import Partner, PartnerStatus
from shared.auth import Principal
from shared.errors import Forbidden

READERS = ("admin", "staff", "coordinator")
FULL = "full"
BASIC_FIELDS = frozenset(
    {
        "name",
        "target_group",
        "facilities",
        "offers",
        "resources_available",
        "resources_needed",
        "skills",
    }
)
CONTACT_FIELDS = BASIC_FIELDS | {"contact", "contact_person", "responsible_person", "availability"}
SCOPE_FIELDS = {"basic": BASIC_FIELDS, "contact": CONTACT_FIELDS}
SCOPE_RANK = {"basic": 1, "contact": 2}


def require_reader(principal: Principal) -> None:
    if not principal.has_any(*READERS):
        raise Forbidden("partners are for admins, staff and coordinators")


def _has_grant(purpose_condition: ColumnElement[bool], today: date) -> ColumnElement[bool]:
    return exists(
        select(ConsentGrant.partner_id).where(
            ConsentGrant.partner_id == Partner.id, grant_is_valid(today), purpose_condition
        )
    )


def _holds(purpose: str) -> ColumnElement[bool]:
    """On the partner row's copy of its purposes (see consent.service.cache_purposes)."""
    return Partner.purposes.contains(f"|{purpose}|", autoescape=True)


def _consented(
    cached: ColumnElement[bool], granted: ColumnElement[bool], today: date
) -> ColumnElement[bool]:
    """The row's copy decides while none of the partner's grants has expired (the common
    case, and cheap); otherwise the grants themselves do."""
    fresh = or_(Partner.purposes_expire_on.is_(None), Partner.purposes_expire_on >= today)
    return or_(and_(fresh, cached), and_(~fresh, granted))


def holds_consent(purpose: str, today: date) -> ColumnElement[bool]:
    """The partner holds a valid consent to ``purpose`` on ``today``."""
    return _consented(_holds(purpose), _has_grant(ConsentGrant.purpose == purpose, today), today)


def own_visible(principal: Principal) -> ColumnElement[bool]:
    mine = Partner.organisation_id == principal.organisation_id
    if principal.has_any("admin"):
        return mine
    today = date.today()
    responsible = Partner.responsible_user_id == principal.user_id
    team = and_(
        Partner.status != PartnerStatus.pending.value,
        _consented(_holds("team"), _has_grant(ConsentGrant.purpose == "team", today), today),
    )
    return and_(mine, or_(responsible, team))


def foreign_visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    today = date.today()
    targets = sharing_targets(session, principal.organisation_id)
    cached = and_(_holds("file"), sharing_condition(targets, _holds))
    granted = and_(
        _has_grant(ConsentGrant.purpose == "file", today),
        _has_grant(sharing_condition(targets, lambda p: ConsentGrant.purpose == p), today),
    )
    return and_(
        Partner.organisation_id != principal.organisation_id,
        Partner.status == PartnerStatus.active.value,
        _consented(cached, granted, today),
    )


def visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    return or_(own_visible(principal), foreign_visible(session, principal))


def shared_scopes(
    session: Session, principal: Principal, partner_ids: list[str]
) -> dict[str, tuple[str, str]]:
    """For partners of other organisations: the widest scope shared with the caller and the
    consent purpose it rests on."""
    if not partner_ids:
        return {}
    rows = session.execute(
        select(ConsentGrant.partner_id, ConsentGrant.purpose, ConsentGrant.scope)
        .join(Partner, Partner.id == ConsentGrant.partner_id)
        .where(
            ConsentGrant.partner_id.in_(partner_ids),
            grant_is_valid(date.today()),
            sharing_purposes_for(session, principal.organisation_id),
        )
    ).all()
    best: dict[str, tuple[str, str]] = {}
    for partner_id, purpose, scope in rows:
        scope = scope or "basic"
        if partner_id not in best or SCOPE_RANK[scope] > SCOPE_RANK[best[partner_id][0]]:
            best[partner_id] = (scope, purpose)
    return best


def card_for(card: dict[str, Any], scope: str) -> dict[str, Any]:
    if scope == FULL:
        return card
    allowed = SCOPE_FIELDS[scope]
    return {field: value for field, value in card.items() if field in allowed}
