"""What ranking reads of matching's copy of the reference data, remembered per process:
which districts neighbour each other, and the category labels as analysed terms.

The labels are for finding a wish in a category: "haluan liikkua", "I'd like to do sports"
and a Finnish club filed under *Liikunta ja urheilu / Motion och idrott / Sports and
exercise* meet through the labels' stems and concepts in three languages. They are analysed
once per category, not stored as terms of every resource in it (they were 70 % of the index,
and a wish that met a label read the postings of every resource in that category).

The copy is read again after ``seconds``, so a `reference.changed` reaches ranking within
that time."""

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.ranking.text import (
    CONCEPT_PREFIX,
    CONCEPT_WEIGHT,
    STEM_WEIGHT,
    Analyzer,
)
from services.matching.reference.models import DEFAULTS, CategoryLabel, District

Key = tuple[str, str]  # (scope, code); the scope is DEFAULTS or an organisation id
Terms = Mapping[str, float]  # term -> how fully the labels say it, in (0, 1]


def _own_or_default(keys: Mapping[Key, object], organisation_id: str, code: str) -> Key | None:
    """The organisation's own entry of that code, else the default one."""
    for scope in (organisation_id, DEFAULTS):
        if (scope, code) in keys:
            return (scope, code)
    return None


@dataclass(frozen=True)
class Labels:
    """Every scope's categories with their labels' terms, and the other way round."""

    terms: Mapping[Key, Terms]
    by_term: Mapping[str, Mapping[Key, float]]

    def key(self, organisation_id: str, code: str) -> Key | None:
        return _own_or_default(self.terms, organisation_id, code)


@dataclass(frozen=True)
class Reference:
    labels: Labels
    neighbour_codes: Mapping[Key, frozenset[str]]

    def neighbours(self, organisation_id: str, code: str | None) -> frozenset[str]:
        key = _own_or_default(self.neighbour_codes, organisation_id, code) if code else None
        return self.neighbour_codes[key] if key else frozenset()


def analyse(analyzer: Analyzer, fi: str, sv: str, en: str) -> Terms:
    """A category's terms: each label analysed in its own language (stems, compound parts,
    concepts), each term as fully as its best label says it. A word or a concept of a word
    counts 1; a compound's part (*sivistys|työ*) and a concept of one sense of an ambiguous
    word count as the analyzer weighs them against a whole word (0.5, 1/3, …)."""
    terms: dict[str, float] = {}
    for text, language in ((fi, "fi"), (sv, "sv"), (en, "en")):
        if not text:
            continue
        for term, weight in analyzer.document_terms(text, language).items():
            whole = CONCEPT_WEIGHT if term.startswith(CONCEPT_PREFIX) else STEM_WEIGHT
            terms[term] = max(terms.get(term, 0.0), min(1.0, weight / whole))
    return terms


@dataclass
class ReferenceCopy:
    """Matching's copy of the reference data as ranking reads it; remembered per process."""

    seconds: float  # how long the copy read is trusted; 0 reads it every time
    _read: tuple[float, Reference] | None = None
    _analysed: dict[tuple[str, str, str], Terms] = field(default_factory=dict)

    def read(self, session: Session, analyzer: Analyzer) -> Reference:
        now = time.monotonic()
        if self._read is not None and now - self._read[0] < self.seconds:
            return self._read[1]
        reference = Reference(self._labels(session, analyzer), self._districts(session))
        self._read = (now, reference)
        return reference

    def _labels(self, session: Session, analyzer: Analyzer) -> Labels:
        rows = session.execute(
            select(
                CategoryLabel.scope,
                CategoryLabel.code,
                CategoryLabel.label_fi,
                CategoryLabel.label_sv,
                CategoryLabel.label_en,
            )
        ).all()
        terms: dict[Key, Terms] = {}
        by_term: dict[str, dict[Key, float]] = defaultdict(dict)
        for scope, code, fi, sv, en in rows:
            if (fi, sv, en) not in self._analysed:  # once per process, whatever the scope
                self._analysed[(fi, sv, en)] = analyse(analyzer, fi, sv, en)
            terms[(scope, code)] = self._analysed[(fi, sv, en)]
            for term, strength in terms[(scope, code)].items():
                by_term[term][(scope, code)] = strength
        return Labels(terms, dict(by_term))

    @staticmethod
    def _districts(session: Session) -> dict[Key, frozenset[str]]:
        rows = session.execute(select(District.scope, District.code, District.neighbour_codes))
        return {(scope, code): frozenset(codes or ()) for scope, code, codes in rows}


def coverage(meaning: Mapping[str, float], labels: Labels) -> dict[Key, float]:
    """How much of a wish each category's labels say, in [0, 1]: the share of the wish's
    weight (``meaning``: each analysed term's query weight x idf) in terms that the
    category's labels hold, each as fully as the labels say it. Categories that share no
    term are left out."""
    total = sum(meaning.values())
    if total <= 0:
        return {}
    found: dict[Key, float] = defaultdict(float)
    for term, weight in meaning.items():
        for key, strength in labels.by_term.get(term, {}).items():
            found[key] += strength * weight / total
    return {key: min(1.0, value) for key, value in found.items()}
