"""BM25 as plain functions, so that the resource index in PostgreSQL and the in-memory ranker
score with the same formulas: a resource stores ``term_weight`` per term (its postings), and a
wish scores as the sum over its terms of query weight x ``idf`` x stored weight."""

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

# Term-frequency saturation. Resource texts are short (a card is a title and a few
# sentences), so a term met two or three times is already a strong signal and further
# repetitions should add little: the usual 1.2.
K1: Final = 1.2
# Length normalisation. Cards range from one word ("Sauna") to a paragraph; the usual 0.75
# keeps a long offer from winning on its length alone. On the evaluation set
# (bench/matching_quality.py) nDCG@10 stays within 0.01 for k1 0.9-2.0 and b 0.3-0.9, so the
# standard values are kept rather than tuned to it.
B: Final = 0.75


def idf(document_frequency: int, documents: int) -> float:
    """Inverse document frequency, the non-negative BM25 form:
    ln(1 + (N - df + 0.5) / (df + 0.5))."""
    if documents <= 0:
        return 0.0
    df = min(max(document_frequency, 0), documents)
    return math.log(1.0 + (documents - df + 0.5) / (df + 0.5))


def term_weight(
    tf: float, length: float, average_length: float, k1: float = K1, b: float = B
) -> float:
    """The stored weight of a term in one resource: tf (k1 + 1) / (tf + k1 (1 - b + b L / avgL)),
    with ``tf`` the analyzer's weighted term frequency and ``length`` the resource's length
    (``document_length``)."""
    if tf <= 0:
        return 0.0
    relative = length / average_length if average_length > 0 else 1.0
    return tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * relative))


def document_length(terms: Mapping[str, float]) -> float:
    """A resource's length for BM25: the sum of its weighted term frequencies."""
    return sum(terms.values())


def postings(
    terms: Mapping[str, float], average_length: float, k1: float = K1, b: float = B
) -> dict[str, float]:
    """The stored weights of one resource's terms (what the index keeps per resource)."""
    length = document_length(terms)
    return {t: term_weight(tf, length, average_length, k1, b) for t, tf in terms.items()}


@dataclass(frozen=True)
class CorpusStats:
    """What idf needs: the number of resources and, per term, how many contain it."""

    documents: int
    document_frequency: Mapping[str, int]

    def idf(self, term: str) -> float:
        return idf(self.document_frequency.get(term, 0), self.documents)


def score(
    query_terms: Mapping[str, float], resource_postings: Mapping[str, float], stats: CorpusStats
) -> float:
    """BM25 score of one resource for a wish: sum of query weight x idf x stored weight."""
    return sum(
        weight * stats.idf(term) * resource_postings[term]
        for term, weight in query_terms.items()
        if term in resource_postings
    )


@dataclass
class MemoryIndex:
    """Resources' postings in memory, with an inverted list per term: for tests, benchmarks and
    small pools. Built in one go from analysed resources."""

    stats: CorpusStats
    by_term: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, documents: Iterable[tuple[str, Mapping[str, float]]], k1: float = K1, b: float = B
    ) -> "MemoryIndex":
        """From analysed resources (term -> weighted frequency), normalised by their own
        average length."""
        analysed = list(documents)
        average = sum(document_length(t) for _, t in analysed) / len(analysed) if analysed else 0.0
        return cls.of_postings((doc_id, postings(t, average, k1, b)) for doc_id, t in analysed)

    @classmethod
    def of_postings(cls, documents: Iterable[tuple[str, Mapping[str, float]]]) -> "MemoryIndex":
        """From resources' stored weights, as the database index keeps them."""
        frequency: dict[str, int] = defaultdict(int)
        by_term: dict[str, list[tuple[str, float]]] = defaultdict(list)
        count = 0
        for doc_id, weights in documents:
            count += 1
            for term, weight in weights.items():
                frequency[term] += 1
                by_term[term].append((doc_id, weight))
        return cls(CorpusStats(count, dict(frequency)), dict(by_term))

    def search(self, query_terms: Mapping[str, float], limit: int = 10) -> list[tuple[str, float]]:
        """The best ``limit`` resources as (id, score), best first; ties by id."""
        scores: dict[str, float] = defaultdict(float)
        for term, weight in query_terms.items():
            listed = self.by_term.get(term)
            if not listed:
                continue
            factor = weight * self.stats.idf(term)
            for doc_id, stored in listed:
                scores[doc_id] += factor * stored
        return heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
