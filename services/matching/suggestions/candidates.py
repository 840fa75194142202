"""Finding candidate resources in the index, among the partners the caller's organisation may
be offered (its own, and those sharing with it through a pool or by name):

- by text: the resources whose hashed terms meet the wish's, scored by BM25 in one SQL
  statement, the scores summed per resource before the visibility join;
- by category: resources of partners in the categories that a worker picked for the wish or
  whose labels say most of it, nearest first, for what the words alone do not find.

Each candidate comes with the plain facts that ranking needs and its partner's open
referrals, in the same statement: ranking reads nothing more until the shown few."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    Subquery,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from services.matching.index.models import IndexedPartner, Posting, Resource
from services.matching.index.service import hashed_terms
from services.matching.pools.models import PoolMembership
from services.matching.ranking import relevance
from services.matching.ranking.signals import Slot
from services.matching.referrals.models import OPEN_STATUSES, Referral
from services.matching.runtime import Matching

CANDIDATES = 200  # ranked further on all signals; text alone picks these
BY_CATEGORY = 20  # partners whose resources are candidates through a category only, at most
# The best scored resources joined for visibility first, as a multiple of the candidates: an
# organisation that may be offered a quarter of the index still finds its candidates there.
OVERFETCH = 4


@dataclass(frozen=True)
class Weighed:
    """A wish's analysed terms as the index weighs them."""

    factors: dict[str, float]  # hashed term -> query weight x idf, for terms the index holds
    # analysed term -> query weight x idf, for every term of the wish; one that no resource
    # holds counts as the rarest (a category's labels may still hold it)
    meaning: dict[str, float]


def weigh(session: Session, matching: Matching, query: dict[str, float]) -> Weighed:
    if not query:
        return Weighed({}, {})
    terms = list(query)
    hashes = hashed_terms(session, matching, terms)
    documents, frequencies = matching.statistics.of(session, hashes)
    factors, meaning = {}, {}
    for term, hashed in zip(terms, hashes, strict=True):
        df = frequencies.get(hashed, 0)
        meaning[term] = query[term] * relevance.idf(df, documents)
        if df:
            factors[hashed] = meaning[term]
    return Weighed(factors, meaning)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource with what ranking needs of it and of its partner."""

    resource_id: str
    kind: str  # offer | resource | skill | competence | strength
    position: int
    slots: tuple[Slot, ...]
    partner_id: str
    organisation_id: str
    partner_kind: str
    district_code: str | None
    category_codes: tuple[str, ...]
    tie_strength: str
    last_contact_on: date | None
    step_free: bool | None
    easy_read: bool
    open_requests: int  # the partner's referrals not yet ended
    relevance: float  # BM25 of the resource's words for the wish; 0 when found by category


_COLUMNS = (
    Resource.id.label("resource_id"),
    Resource.kind.label("kind"),
    Resource.position.label("position"),
    # The two lists as their JSON text, decoded once per distinct value (they repeat a lot).
    cast(Resource.slots, Text).label("slots"),
    IndexedPartner.partner_id.label("partner_id"),
    IndexedPartner.organisation_id.label("organisation_id"),
    IndexedPartner.kind.label("partner_kind"),
    IndexedPartner.district_code.label("district_code"),
    cast(IndexedPartner.category_codes, Text).label("category_codes"),
    IndexedPartner.tie_strength.label("tie_strength"),
    IndexedPartner.last_contact_on.label("last_contact_on"),
    IndexedPartner.step_free.label("step_free"),
    IndexedPartner.easy_read.label("easy_read"),
)


def _with_open_requests(found: Subquery) -> Select[Any]:
    """The found rows, each with its partner's open referrals (counted for these rows only)."""
    requests = (
        select(func.count())
        .where(Referral.partner_id == found.c.partner_id, Referral.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    return select(found, requests.label("open_requests"))


@lru_cache(maxsize=8192)
def _slots(text: str | None) -> tuple[Slot, ...]:
    return tuple(Slot.of(slot) for slot in json.loads(text)) if text else ()


@lru_cache(maxsize=8192)
def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def _candidates(session: Session, statement: Select[Any]) -> list[Candidate]:
    return [
        Candidate(
            resource_id,
            kind,
            position,
            _slots(slots),
            partner_id,
            organisation_id,
            partner_kind,
            district_code,
            _codes(category_codes),
            tie_strength,
            last_contact_on,
            step_free,
            easy_read,
            open_requests,
            float(relevance_),
        )
        for (
            resource_id,
            kind,
            position,
            slots,
            partner_id,
            organisation_id,
            partner_kind,
            district_code,
            category_codes,
            tie_strength,
            last_contact_on,
            step_free,
            easy_read,
            relevance_,
            open_requests,
        ) in session.execute(statement)
    ]


def visible_to(session: Session, organisation_id: str) -> ColumnElement[bool]:
    """Partners this organisation may be offered: its own; another pool member's that
    consented to that pool; any that consented to this organisation by name."""
    pools = session.execute(
        select(PoolMembership.pool_id, PoolMembership.organisation_id).where(
            PoolMembership.status == "active",
            PoolMembership.pool_id.in_(
                select(PoolMembership.pool_id).where(
                    PoolMembership.organisation_id == organisation_id,
                    PoolMembership.status == "active",
                )
            ),
        )
    ).all()
    shared = [
        and_(
            IndexedPartner.organisation_id == member,
            IndexedPartner.shared_with.contains(f"|pool:{pool_id}|"),
        )
        for pool_id, member in pools
        if member != organisation_id
    ]
    return or_(
        IndexedPartner.organisation_id == organisation_id,
        IndexedPartner.shared_with.contains(f"|organisation:{organisation_id}|"),
        *shared,
    )


def _scores(dialect: str, factors: dict[str, float]) -> Subquery:
    """(resource_key, score): each resource's BM25 for the wish, summed over its postings."""
    if dialect == "postgresql":
        terms = list(factors)
        weights = (
            func.unnest(
                bindparam("terms", terms, type_=ARRAY(String)),
                bindparam("factors", list(factors.values()), type_=ARRAY(Float)),
            )
            .table_valued("term", "factor")
            .render_derived(name="query")
        )
        return (
            select(Posting.resource_key, func.sum(Posting.weight * weights.c.factor).label("score"))
            .join_from(Posting, weights, weights.c.term == Posting.term)
            .where(Posting.term == any_(bindparam("held", terms, type_=ARRAY(String))))
            .group_by(Posting.resource_key)
            .subquery()
        )
    per_term = case(
        *((Posting.term == h, literal(f)) for h, f in factors.items()), else_=literal(0.0)
    )
    return (
        select(Posting.resource_key, func.sum(Posting.weight * per_term).label("score"))
        .where(Posting.term.in_(list(factors)))
        .group_by(Posting.resource_key)
        .subquery()
    )


def find(
    session: Session,
    visible: ColumnElement[bool],
    weighed: Weighed,
    *,
    limit: int = CANDIDATES,
) -> list[Candidate]:
    """The best ``limit`` resources by text relevance among the ``visible`` partners
    (``visible_to``), ties by key. Scores are summed per resource first. Only the best
    ``OVERFETCH x limit`` of them are then joined to their rows and partners for
    visibility: a broad word meets thousands of resources, and joining them all would cost
    more than scoring them. When fewer than ``limit`` of those are visible, every scored
    resource is joined."""
    if not weighed.factors:
        return []
    dialect = session.get_bind().dialect.name
    found: list[Candidate] = []
    for scored_first in (OVERFETCH * limit, None):
        scored = _scores(dialect, weighed.factors)
        if scored_first is not None:
            scored = (
                select(scored)
                .order_by(scored.c.score.desc(), scored.c.resource_key)
                .limit(scored_first)
                .subquery()
            )
        best = (
            select(*_COLUMNS, scored.c.score.label("relevance"))
            .join(Resource, Resource.key == scored.c.resource_key)
            .join(IndexedPartner, IndexedPartner.partner_id == Resource.partner_id)
            .where(visible)
            .order_by(scored.c.score.desc(), scored.c.resource_key)
            .limit(limit)
            .subquery()
        )
        found = _candidates(session, _with_open_requests(best))
        # Fewer than asked: the resources scored so far may run out before the visible ones
        # do (with few matches this second pass is as cheap as the first).
        if len(found) >= limit:
            break
    return found


def _holds_any(dialect: str, codes: Sequence[str]) -> ColumnElement[bool]:
    column = IndexedPartner.category_codes
    if dialect == "postgresql":  # jsonb ?| text[]: a bitmap of the GIN index
        return column.op("?|")(bindparam("codes", list(codes), type_=ARRAY(Text)))
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(list(codes))))


def in_categories(
    session: Session,
    visible: ColumnElement[bool],
    codes: Sequence[str],
    home: str | None,
    near: Sequence[str],
    *,
    limit: int = BY_CATEGORY,
) -> list[Candidate]:
    """Every resource of up to ``limit`` partners in any of the categories: those of the
    person's own district first, then of the neighbouring ones, then the rest. Without a
    matching word, what is near is what is worth suggesting."""
    if not codes:
        return []
    holds = _holds_any(session.get_bind().dialect.name, codes)
    nearby = [code for code in (home, *near) if code]
    district = IndexedPartner.district_code
    # The nearby partners are few, so they are sorted (the person's own district first).
    # The rest are taken only when those run short, in no particular order: reading them all
    # to sort them would cost what leaving the labels out of the index saved.
    passes: list[tuple[list[ColumnElement[bool]], list[Any]]] = (
        [
            ([district.in_(nearby)], [(district == home).desc(), IndexedPartner.partner_id]),
            ([or_(district.not_in(nearby), district.is_(None))], []),
        ]
        if nearby
        else [([], [])]
    )
    found: list[Candidate] = []
    partners: set[str] = set()
    for where, order in passes:
        if len(partners) >= limit:
            break
        chosen = (
            select(IndexedPartner.partner_id)
            .where(visible, holds, *where)
            .order_by(*order)
            .limit(limit - len(partners))
        )
        rows = (
            select(*_COLUMNS, literal(0.0, Float).label("relevance"))
            .join(IndexedPartner, IndexedPartner.partner_id == Resource.partner_id)
            .where(Resource.partner_id.in_(chosen.scalar_subquery()))
            .subquery()
        )
        found += _candidates(session, _with_open_requests(rows))
        partners = {c.partner_id for c in found}
    return found
