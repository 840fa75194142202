"""Finding candidate resources in the index: the ones whose hashed terms meet the wish's,
scored by BM25 in one SQL statement, among the partners the caller's organisation may be
offered (its own, and those sharing with it through a pool or by name)."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from services.matching.index.models import IndexedPartner, Resource, ResourceTerm
from services.matching.index.service import hashed_terms
from services.matching.pools.models import PoolMembership
from services.matching.ranking import relevance
from services.matching.runtime import Matching

CANDIDATES = 200  # ranked further on all signals; text alone picks these


@dataclass(frozen=True)
class Candidate:
    resource_id: str
    relevance: float


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


def find(
    session: Session,
    matching: Matching,
    organisation_id: str,
    query: dict[str, float],
    *,
    limit: int = CANDIDATES,
) -> list[Candidate]:
    """The best ``limit`` resources by text relevance; ``query`` maps analysed terms to
    their query weight. Scores are summed per resource first and only then joined to the
    partners for visibility, so a broad word costs one pass over its postings."""
    if not query:
        return []
    terms = list(query)
    hashes = dict(zip(hashed_terms(session, matching, terms), terms, strict=True))
    documents, frequencies = matching.statistics.of(session, list(hashes))
    factor = {
        h: relevance.idf(df, documents) * query[hashes[h]] for h, df in frequencies.items() if df
    }
    if not factor:
        return []
    per_term = case(
        *((ResourceTerm.term == h, literal(f)) for h, f in factor.items()), else_=literal(0.0)
    )
    scored = (
        select(ResourceTerm.resource_id, func.sum(ResourceTerm.weight * per_term).label("score"))
        .where(ResourceTerm.term.in_(list(factor)))
        .group_by(ResourceTerm.resource_id)
        .subquery()
    )
    rows = session.execute(
        select(scored.c.resource_id, scored.c.score)
        .join(Resource, Resource.id == scored.c.resource_id)
        .join(IndexedPartner, IndexedPartner.partner_id == Resource.partner_id)
        .where(visible_to(session, organisation_id))
        .order_by(scored.c.score.desc(), scored.c.resource_id)
        .limit(limit)
    ).all()
    return [Candidate(resource_id, float(value)) for resource_id, value in rows]
