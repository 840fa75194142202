"""Candidates in the PostgreSQL index: the SQL scores as the in-memory BM25 over the same
stored weights, visibility never loses a candidate, a word the index has not seen is found as
soon as a resource has it, the resources' terms hold nothing of their categories' labels,
and a wish meets categories through their labels."""

import uuid

import pytest
from sqlalchemy import func, select

from services.matching.index.models import Posting, Resource
from services.matching.index.service import hashed_terms, resource_postings
from services.matching.index.statistics import CorpusStatistics
from services.matching.ranking.relevance import MemoryIndex
from services.matching.reference.labels import Labels, analyse, coverage
from services.matching.reference.models import DEFAULTS
from services.matching.runtime import Matching
from services.matching.suggestions import candidates
from tests.matching.conftest import club, index_partner

TEXTS = {
    "kokki": "Kokkikerho tiistaisin, opettelemme ruoanlaittoa yhdessä",
    "ruoka": "Ruokapiiri: kokkaamme ja syömme yhdessä",
    "cook": "Cooking club for beginners, we cook together on Tuesdays",
    "kuoro": "Kuoro laulaa keskiviikkoisin",
    "shakki": "Shakkikerho ja lautapelejä",
    "uinti": "Swimming group at the public pool",
}


def test_the_sql_scores_as_bm25_in_memory_over_the_same_weights(matching: Matching) -> None:
    org = str(uuid.uuid4())
    by_partner = {index_partner(matching, org, club(text)): key for key, text in TEXTS.items()}
    memory = MemoryIndex.of_postings(
        (key, resource_postings(matching.analyzer, text)[1]) for key, text in TEXTS.items()
    )
    for wish, language in (("haluan oppia kokkaamaan", "fi"), ("I like to sing", "en")):
        query = matching.analyzer.query_terms(wish, language)
        with matching.database.session() as session:
            weighed = candidates.weigh(session, matching, query)
            found = candidates.find(session, candidates.visible_to(session, org), weighed)
        expected = memory.search(query, limit=len(TEXTS))
        found.sort(key=lambda c: -c.relevance)
        assert [(by_partner[c.partner_id], c.relevance) for c in found] == [
            (key, pytest.approx(value)) for key, value in expected
        ]


def test_candidates_the_organisation_may_not_see_never_crowd_out_those_it_may(
    matching: Matching,
) -> None:
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())
    for _ in range(candidates.OVERFETCH + 2):  # better matches, all someone else's
        index_partner(matching, other, club("Neulekerho", "neulomme neulomme"))
    own = index_partner(matching, mine, club("Neulekerho", "neulomme, ja juomme kahvia yhdessä"))
    query = matching.analyzer.query_terms("haluan oppia neulomaan", "fi")
    with matching.database.session() as session:
        weighed = candidates.weigh(session, matching, query)
        found = candidates.find(session, candidates.visible_to(session, mine), weighed, limit=1)
    assert [c.partner_id for c in found] == [own]


def test_a_word_no_resource_had_is_found_as_soon_as_one_has_it(matching: Matching) -> None:
    statistics = CorpusStatistics(seconds=60)  # counts trusted for a minute, as in production
    org = str(uuid.uuid4())
    index_partner(matching, org, club("Kuoro"))
    with matching.database.session() as session:
        (word,) = hashed_terms(session, matching, ["frisbeegolf"])
        assert statistics.of(session, [word]) == (1, {word: 0})
    index_partner(matching, org, club("Frisbeegolf"))
    with matching.database.session() as session:
        assert statistics.of(session, [word])[1] == {word: 1}


def test_the_count_of_resources_is_never_below_a_words_count(matching: Matching) -> None:
    """Counted while the index was empty and trusted for a minute, the number of resources
    would be 0 beside a word one resource now holds, and ranking would weigh the word below
    nothing (the resource would not be suggested at all)."""
    statistics = CorpusStatistics(seconds=60)
    with matching.database.session() as session:
        (word,) = hashed_terms(session, matching, ["frisbeegolf"])
        assert statistics.of(session, [word]) == (0, {word: 0})
    index_partner(matching, str(uuid.uuid4()), club("Frisbeegolf"))
    with matching.database.session() as session:
        assert statistics.of(session, [word]) == (1, {word: 1})


def test_a_resource_is_indexed_by_its_own_words_not_its_categories_labels(
    matching: Matching,
) -> None:
    partner = index_partner(
        matching, str(uuid.uuid4()), club("Shakkikerho"), categories=("P27.1", "P1")
    )
    _, weights = resource_postings(matching.analyzer, "Shakkikerho")
    with matching.database.session() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(Posting)
            .join(Resource, Resource.key == Posting.resource_key)
            .where(Resource.partner_id == partner)
        )
        label_words = hashed_terms(session, matching, ["liikunta", "sport", "asum"])
        held = session.scalar(
            select(func.count()).select_from(Posting).where(Posting.term.in_(label_words))
        )
    assert stored == len(weights) and held == 0


def test_a_wish_is_found_in_the_labels_of_a_category(matching: Matching) -> None:
    sports = analyse(matching.analyzer, "Liikunta ja urheilu", "Motion och idrott", "Sports")
    housing = analyse(matching.analyzer, "Asuminen", "Boende", "Housing")
    keys = {"sports": (DEFAULTS, "P27.1"), "housing": (DEFAULTS, "P1")}
    by_term: dict[str, dict[tuple[str, str], float]] = {}
    for name, terms in (("sports", sports), ("housing", housing)):
        for term, strength in terms.items():
            by_term.setdefault(term, {})[keys[name]] = strength
    labels = Labels({keys["sports"]: sports, keys["housing"]: housing}, by_term)
    for wish, language in (("haluan urheilla", "fi"), ("I'd like to do sports", "en")):
        said = coverage(matching.analyzer.query_terms(wish, language), labels)
        assert said[keys["sports"]] >= 0.5 and keys["housing"] not in said
    assert coverage(matching.analyzer.query_terms("haluan neuloa", "fi"), labels) == {}
