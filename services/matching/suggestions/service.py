"""Suggestions for a wish: candidates found by text, then ranked on every signal, each with
its reasons and a plain sentence for the support user.

The score is a weighted sum of signals in [0, 1] (text relevance relative to the best
candidate, category, district, availability, accessibility, tie strength, freshness),
multiplied by fairness so that a partner already asked many times yields to others, and
lowered when the resource happens only at times the person is not free."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from services.matching.index.documents import resource_title
from services.matching.index.models import IndexedPartner, Resource
from services.matching.index.service import partner_document
from services.matching.models import outbox
from services.matching.ranking import signals
from services.matching.ranking.signals import Slot
from services.matching.reference.service import neighbours
from services.matching.referrals.models import OPEN_STATUSES, Referral
from services.matching.runtime import Matching
from services.matching.suggestions import candidates
from services.matching.suggestions.explain import Reason, phrase, sentence
from services.matching.suggestions.schemas import ReasonOut, SuggestionOut, SuggestionsOut
from services.matching.support_users import service as support_users
from services.matching.support_users.schemas import Profile
from services.matching.wishes import service as wishes
from shared.auth import Principal
from shared.errors import ConsentMissing, Invalid
from shared.events import publish

WEIGHTS = {
    "words": 0.40,
    "category": 0.15,
    "district": 0.15,
    "availability": 0.10,
    "accessibility": 0.08,
    "tie": 0.06,
    "freshness": 0.06,
}
NOT_AVAILABLE = 0.4  # multiplier when the resource is only on days the person is busy


@dataclass(frozen=True)
class Need:
    """What about the person ranking looks at."""

    organisation_id: str
    district_code: str | None
    neighbours: frozenset[str]
    categories: frozenset[str]
    free: tuple[Slot, ...]
    accessibility: frozenset[str]


@dataclass(frozen=True)
class Ranked:
    resource: Resource
    partner: IndexedPartner
    score: float
    reasons: list[Reason]


def _accessibility(need: Need, partner: IndexedPartner) -> tuple[float, list[Reason]]:
    if not need.accessibility:
        return 1.0, []
    scores, reasons = [], []
    if "step_free" in need.accessibility:
        scores.append(1.0 if partner.step_free else 0.4)
        if partner.step_free:
            reasons.append(Reason("step_free", WEIGHTS["accessibility"]))
    if "easy_read" in need.accessibility:
        scores.append(1.0 if partner.easy_read else 0.5)
        if partner.easy_read:
            reasons.append(Reason("easy_read", WEIGHTS["accessibility"]))
    if "company_to_travel" in need.accessibility:  # nearer is easier to reach together
        scores.append(1.0 if partner.district_code == need.district_code else 0.6)
    return sum(scores) / len(scores), reasons


def score(
    need: Need,
    resource: Resource,
    partner: IndexedPartner,
    text: float,
    open_requests: int,
    today: date,
) -> tuple[float, list[Reason]]:
    """One resource's score for one person; pure, so ranking is testable on its own."""
    reasons: list[Reason] = []
    parts = {"words": text}
    if text > 0:
        reasons.append(Reason("words", round(WEIGHTS["words"] * text, 3)))
    shared_categories = sorted(need.categories & set(partner.category_codes))
    parts["category"] = 1.0 if shared_categories else 0.0
    if shared_categories:
        reasons.append(Reason("category", WEIGHTS["category"], {"codes": shared_categories}))
    closeness = signals.district_closeness(
        need.district_code, partner.district_code, set(need.neighbours)
    )
    parts["district"] = signals.DISTRICT_SCORE[closeness]
    if closeness in ("same", "neighbour"):
        code = "same_district" if closeness == "same" else "neighbour_district"
        reasons.append(Reason(code, round(WEIGHTS["district"] * parts["district"], 3)))
    days = signals.shared_days(list(need.free), [Slot.of(s) for s in resource.slots])
    parts["availability"] = 0.5 if days is None else (1.0 if days else 0.0)
    if days:
        reasons.append(Reason("available", WEIGHTS["availability"], {"weekdays": days}))
    parts["accessibility"], access_reasons = _accessibility(need, partner)
    reasons.extend(access_reasons)
    parts["tie"] = 1.0 if partner.tie_strength == "strong" else 0.5
    if partner.tie_strength == "strong":
        reasons.append(Reason("strong_tie", WEIGHTS["tie"] * 0.5))
    parts["freshness"] = signals.freshness(partner.last_contact_on, today)
    if parts["freshness"] == 1.0:
        reasons.append(Reason("recent_contact", WEIGHTS["freshness"] * 0.8))
    total = sum(WEIGHTS[name] * value for name, value in parts.items())
    if days == []:
        reasons.append(Reason("not_available", round(total * (NOT_AVAILABLE - 1), 3)))
        total *= NOT_AVAILABLE
    fair = signals.fairness(open_requests)
    if fair < 1.0:
        reasons.append(
            Reason("busy", round(total * (fair - 1), 3), {"open_requests": open_requests})
        )
        total *= fair
    if partner.organisation_id != need.organisation_id:
        reasons.append(Reason("other_organisation", 0.0))
    return total, reasons


def _open_requests(session: Session, partner_ids: list[str]) -> Counter[str]:
    rows = session.execute(
        select(Referral.partner_id, func.count())
        .where(Referral.partner_id.in_(partner_ids), Referral.status.in_(OPEN_STATUSES))
        .group_by(Referral.partner_id)
    ).all()
    return Counter({partner_id: count for partner_id, count in rows})


def rank(
    session: Session, matching: Matching, need: Need, query: dict[str, float], limit: int
) -> list[Ranked]:
    found = candidates.find(session, matching, need.organisation_id, query)
    if not found:
        return []
    best = max(c.relevance for c in found) or 1.0
    relevance = {c.resource_id: c.relevance / best for c in found}
    rows = session.execute(
        select(Resource, IndexedPartner)
        .join(IndexedPartner, IndexedPartner.partner_id == Resource.partner_id)
        .where(Resource.id.in_(relevance))
        # the sealed cards are read for the shown few only
        .options(defer(IndexedPartner.document_encrypted))
    ).all()
    requests = _open_requests(session, list({p.partner_id for _, p in rows}))
    today = date.today()
    ranked = []
    for resource, partner in rows:
        value, reasons = score(
            need, resource, partner, relevance[resource.id], requests[partner.partner_id], today
        )
        ranked.append(Ranked(resource, partner, value, reasons))
    ranked.sort(key=lambda r: (-r.score, r.resource.id))
    return _one_per_partner(ranked)[:limit]


def _one_per_partner(ranked: list[Ranked]) -> list[Ranked]:
    """A partner's best resource only: ten suggestions should be ten different doors."""
    seen: set[str] = set()
    kept = []
    for item in ranked:
        if item.partner.partner_id not in seen:
            seen.add(item.partner.partner_id)
            kept.append(item)
    return kept


def suggest(
    session: Session, matching: Matching, principal: Principal, wish_id: str, limit: int = 10
) -> SuggestionsOut:
    person, wish = wishes.find_wish(session, principal, wish_id)
    if not support_users.consent_state(session, person.id).matching:
        raise ConsentMissing("the support user has not agreed to be matched", field="matching")
    if wish.status not in ("open", "in_progress"):
        raise Invalid("status", "suggestions are for open wishes")
    profile: Profile = support_users.profile(session, matching, person)
    need = Need(
        organisation_id=person.organisation_id,
        district_code=person.district_code,
        neighbours=frozenset(
            neighbours(session, person.organisation_id, person.district_code)
            if person.district_code
            else ()
        ),
        categories=frozenset(wish.category_codes),
        free=tuple(Slot(s.weekday, s.start, s.end) for s in profile.availability),
        accessibility=frozenset(a.value for a in profile.accessibility),
    )
    text = wishes.view(session, matching, wish).text
    query = matching.analyzer.query_terms(text, wish.language)
    ranked = rank(session, matching, need, query, limit)
    items = [_suggestion(session, matching, need, r) for r in ranked]
    _record_shown(session, principal, [r.partner for r in ranked])
    return SuggestionsOut(wish_id=wish.id, items=items)


def _suggestion(session: Session, matching: Matching, need: Need, ranked: Ranked) -> SuggestionOut:
    partner, resource = ranked.partner, ranked.resource
    document = partner_document(session, matching, partner)
    title = resource_title(document, resource.kind, resource.position)
    return SuggestionOut(
        resource_id=resource.id,
        partner_id=partner.partner_id,
        partner_kind=partner.kind,
        organisation_id=partner.organisation_id,
        own_organisation=partner.organisation_id == need.organisation_id,
        kind=resource.kind,
        title=title,
        partner_name=str(document.get("name", "")),
        district_code=partner.district_code,
        score=round(ranked.score, 4),
        reasons=[
            ReasonOut(
                code=r.code, weight=r.weight, text={lang: phrase(r, lang) for lang in ("fi", "en")}
            )
            for r in ranked.reasons
        ],
        explanation={lang: sentence(title, ranked.reasons, lang) for lang in ("fi", "en")},
    )


def _record_shown(session: Session, principal: Principal, partners: list[IndexedPartner]) -> None:
    """Showing another organisation's partner is a cross-organisation read: the registry
    writes it into the owner's access log."""
    foreign = sorted(
        {p.partner_id for p in partners if p.organisation_id != principal.organisation_id}
    )
    if foreign:
        publish(
            session,
            outbox,
            "partners.shown",
            reader_organisation_id=principal.organisation_id,
            reader_subject=principal.subject,
            partner_ids=foreign,
            purpose="matching",
        )
