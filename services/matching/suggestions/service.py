"""Suggestions for a wish: candidates found by their words and by their categories, then
ranked on every signal, the shown few with their reasons and a plain sentence for the
support user.

The score is a weighted sum of signals in [0, 1] (text relevance relative to the best
candidate, category, district, availability, accessibility, tie strength, freshness),
multiplied by fairness so that a partner already asked many times yields to others, and
lowered when the resource happens only at times the person is not free. Every candidate is
scored; only the shown ones get their reasons worded."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.index.documents import resource_title
from services.matching.index.models import IndexedPartner
from services.matching.models import outbox
from services.matching.ranking import signals
from services.matching.ranking.signals import Slot
from services.matching.reference.labels import Key, Labels, coverage
from services.matching.reference.models import DEFAULTS
from services.matching.runtime import Matching
from services.matching.suggestions import candidates
from services.matching.suggestions.candidates import Candidate
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
# A category whose labels say at least this share of a wish counts as one the wish names: it
# gives a reason, and its partners near the person become candidates without a shared word.
CATEGORY_MATCH = 0.5


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
class CategoryFit:
    """How well a partner's categories fit the wish: 1 for one picked for the wish, else the
    share of the wish that the best of their labels say (0 when none)."""

    value: float
    codes: tuple[str, ...]


NO_CATEGORY = CategoryFit(0.0, ())


@dataclass(frozen=True)
class Signals:
    """Each signal's value in [0, 1] for one resource and person, and what the multipliers
    depend on."""

    parts: dict[str, float]
    closeness: str | None  # same | neighbour | further; None when a district is unknown
    days: list[int] | None  # weekdays both are free; None when either has not said
    access: list[str]  # the person's accessibility needs the place meets (step_free, …)

    def total(self, open_requests: int) -> float:
        value = sum(WEIGHTS[name] * v for name, v in self.parts.items())
        if self.days == []:
            value *= NOT_AVAILABLE
        return value * signals.fairness(open_requests)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reasons: list[Reason]


def _accessibility(need: Need, candidate: Candidate) -> tuple[float, list[str]]:
    if not need.accessibility:
        return 1.0, []
    scores, met = [], []
    if "step_free" in need.accessibility:
        scores.append(1.0 if candidate.step_free else 0.4)
        if candidate.step_free:
            met.append("step_free")
    if "easy_read" in need.accessibility:
        scores.append(1.0 if candidate.easy_read else 0.5)
        if candidate.easy_read:
            met.append("easy_read")
    if "company_to_travel" in need.accessibility:  # nearer is easier to reach together
        scores.append(1.0 if candidate.district_code == need.district_code else 0.6)
    return sum(scores) / len(scores), met


def signals_of(
    need: Need, candidate: Candidate, text: float, category: CategoryFit, today: date
) -> Signals:
    """The signals of one resource for one person; pure, so ranking is testable on its own.
    Only numbers: every candidate is scored, the reasons are worded for the shown few."""
    closeness = signals.district_closeness(
        need.district_code, candidate.district_code, need.neighbours
    )
    days = signals.shared_days(need.free, candidate.slots)
    accessibility, access = _accessibility(need, candidate)
    parts = {
        "words": text,
        "category": category.value,
        "district": signals.DISTRICT_SCORE[closeness],
        "availability": 0.5 if days is None else (1.0 if days else 0.0),
        "accessibility": accessibility,
        "tie": 1.0 if candidate.tie_strength == "strong" else 0.5,
        "freshness": signals.freshness(candidate.last_contact_on, today),
    }
    return Signals(parts, closeness, days, access)


def reasons(
    need: Need, candidate: Candidate, category: CategoryFit, found: Signals
) -> list[Reason]:
    """Why the resource scored as it did, each with what it added (or took away)."""
    parts = found.parts
    out: list[Reason] = []
    if parts["words"] > 0:
        out.append(Reason("words", round(WEIGHTS["words"] * parts["words"], 3)))
    if category.value >= CATEGORY_MATCH:
        weight = round(WEIGHTS["category"] * category.value, 3)
        out.append(Reason("category", weight, {"codes": list(category.codes)}))
    if found.closeness in ("same", "neighbour"):
        code = "same_district" if found.closeness == "same" else "neighbour_district"
        out.append(Reason(code, round(WEIGHTS["district"] * parts["district"], 3)))
    if found.days:
        out.append(Reason("available", WEIGHTS["availability"], {"weekdays": found.days}))
    out.extend(Reason(code, WEIGHTS["accessibility"]) for code in found.access)
    if candidate.tie_strength == "strong":
        out.append(Reason("strong_tie", WEIGHTS["tie"] * 0.5))
    if parts["freshness"] == 1.0:
        out.append(Reason("recent_contact", WEIGHTS["freshness"] * 0.8))
    total = sum(WEIGHTS[name] * value for name, value in parts.items())
    if found.days == []:
        out.append(Reason("not_available", round(total * (NOT_AVAILABLE - 1), 3)))
        total *= NOT_AVAILABLE
    fair = signals.fairness(candidate.open_requests)
    if fair < 1.0:
        busy = round(total * (fair - 1), 3)
        out.append(Reason("busy", busy, {"open_requests": candidate.open_requests}))
    if candidate.organisation_id != need.organisation_id:
        out.append(Reason("other_organisation", 0.0))
    return out


def category_fit(
    need: Need, candidate: Candidate, labels: Labels, said: Mapping[Key, float]
) -> CategoryFit:
    """A category picked for the wish fits fully; otherwise the partner's category whose
    labels (in the partner's organisation's words, else the defaults) say most of the wish."""
    picked = sorted(need.categories.intersection(candidate.category_codes))
    if picked:
        return CategoryFit(1.0, tuple(picked))
    best, codes = 0.0, []
    for code in candidate.category_codes:
        key = labels.key(candidate.organisation_id, code)
        value = said.get(key, 0.0) if key else 0.0
        if value > best:
            best, codes = value, [code]
        elif value == best and value > 0:
            codes.append(code)
    return CategoryFit(best, tuple(sorted(codes))) if best > 0 else NO_CATEGORY


def rank(
    session: Session, matching: Matching, need: Need, query: dict[str, float], limit: int
) -> list[Ranked]:
    weighed = candidates.weigh(session, matching, query)
    visible = candidates.visible_to(session, need.organisation_id)
    found = candidates.find(session, visible, weighed)
    labels = matching.reference.read(session, matching.analyzer).labels
    said = coverage(weighed.meaning, labels)
    # Categories the wish names: picked by the worker, or said by its words in the labels
    # of the organisation's own categories or the defaults.
    named = need.categories | {
        code
        for (scope, code), value in said.items()
        if value >= CATEGORY_MATCH and scope in (DEFAULTS, need.organisation_id)
    }
    if named:
        known = {c.resource_id for c in found}
        found += [
            c
            for c in candidates.in_categories(
                session, visible, sorted(named), need.district_code, sorted(need.neighbours)
            )
            if c.resource_id not in known
        ]
    if not found:
        return []
    best = max(c.relevance for c in found) or 1.0
    today = date.today()
    scored = []
    for candidate in found:
        fit = category_fit(need, candidate, labels, said)
        found_signals = signals_of(need, candidate, candidate.relevance / best, fit, today)
        value = found_signals.total(candidate.open_requests)
        scored.append((-value, candidate.resource_id, candidate, fit, found_signals))
    scored.sort(key=lambda item: (item[0], item[1]))
    shown: list[Ranked] = []
    seen: set[str] = set()
    for value, _, candidate, fit, found_signals in scored:
        # A partner's best resource only: ten suggestions should be ten different doors.
        if candidate.partner_id in seen:
            continue
        seen.add(candidate.partner_id)
        shown.append(Ranked(candidate, -value, reasons(need, candidate, fit, found_signals)))
        if len(shown) == limit:
            break
    return shown


def suggest(
    session: Session, matching: Matching, principal: Principal, wish_id: str, limit: int = 10
) -> SuggestionsOut:
    person, wish = wishes.find_wish(session, principal, wish_id)
    if not support_users.consent_state(session, person.id).matching:
        raise ConsentMissing("the support user has not agreed to be matched", field="matching")
    if wish.status not in ("open", "in_progress"):
        raise Invalid("status", "suggestions are for open wishes")
    # The wish and the profile are sealed with the person's key: opened together.
    text, sealed_profile = matching.keyring.open_documents(
        session,
        [
            ("wishes", wish.id, wish.text_encrypted),
            (support_users.TABLE, person.id, person.profile_encrypted),
        ],
    )
    profile = Profile.model_validate(sealed_profile)
    need = Need(
        organisation_id=person.organisation_id,
        district_code=person.district_code,
        neighbours=matching.reference.read(session, matching.analyzer).neighbours(
            person.organisation_id, person.district_code
        ),
        categories=frozenset(wish.category_codes),
        free=tuple(Slot(s.weekday, s.start, s.end) for s in profile.availability),
        accessibility=frozenset(a.value for a in profile.accessibility),
    )
    query = matching.analyzer.query_terms(str(text), wish.language)
    ranked = rank(session, matching, need, query, limit)
    items = _suggestions(session, matching, need, ranked)
    _record_shown(session, principal, [r.candidate for r in ranked])
    return SuggestionsOut(wish_id=wish.id, items=items)


def _suggestions(
    session: Session, matching: Matching, need: Need, ranked: list[Ranked]
) -> list[SuggestionOut]:
    """The shown few, with their partners' sealed cards read and opened together."""
    if not ranked:
        return []
    shown = [r.candidate.partner_id for r in ranked]
    sealed = [
        ("indexed_partners", partner_id, blob)
        for partner_id, blob in session.execute(
            select(IndexedPartner.partner_id, IndexedPartner.document_encrypted).where(
                IndexedPartner.partner_id.in_(shown)
            )
        )
    ]
    opened = matching.keyring.open_documents(session, sealed)
    documents = dict(zip((partner_id for _, partner_id, _ in sealed), opened, strict=True))
    return [_suggestion(need, r, documents[r.candidate.partner_id]) for r in ranked]


def _suggestion(need: Need, ranked: Ranked, document: dict[str, object]) -> SuggestionOut:
    candidate = ranked.candidate
    title = resource_title(document, candidate.kind, candidate.position)
    return SuggestionOut(
        resource_id=candidate.resource_id,
        partner_id=candidate.partner_id,
        partner_kind=candidate.partner_kind,
        organisation_id=candidate.organisation_id,
        own_organisation=candidate.organisation_id == need.organisation_id,
        kind=candidate.kind,
        title=title,
        partner_name=str(document.get("name", "")),
        district_code=candidate.district_code,
        score=round(ranked.score, 4),
        reasons=[
            ReasonOut(
                code=r.code, weight=r.weight, text={lang: phrase(r, lang) for lang in ("fi", "en")}
            )
            for r in ranked.reasons
        ],
        explanation={lang: sentence(title, ranked.reasons, lang) for lang in ("fi", "en")},
    )


def _record_shown(session: Session, principal: Principal, shown: list[Candidate]) -> None:
    """Showing another organisation's partner is a cross-organisation read: the registry
    writes it into the owner's access log."""
    foreign = sorted(
        {c.partner_id for c in shown if c.organisation_id != principal.organisation_id}
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
