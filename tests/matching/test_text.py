"""The matching analyzer and BM25 formulas: what a wish and a resource turn into, and how they
meet (no database; the reference vocabularies are the real ones, see the
``reference_data_dir`` fixture, except where a test says it goes without)."""

import math
from pathlib import Path

import pytest

from services.matching.ranking.relevance import (
    K1,
    B,
    CorpusStats,
    MemoryIndex,
    idf,
    postings,
    score,
    term_weight,
)
from services.matching.ranking.text import (
    Analyzer,
    Term,
    fold,
    guess_languages,
    stem,
    tokens,
)

SWIMMING = "c:yso:p4330"  # uinti / swimming
INDOOR_POOL = "c:lipas:3110"  # Uimahalli / Simhall / Public indoor swimming pool


@pytest.fixture(scope="module")
def analyzer(reference_data_dir: Path) -> Analyzer:
    return Analyzer.load(reference_data_dir)


def concepts(terms: dict[str, float]) -> set[str]:
    return {t for t in terms if t.startswith("c:")}


def best(analyzer: Analyzer, docs: dict[str, str], wish: str, language: str | None) -> list[str]:
    index = MemoryIndex.build((i, analyzer.document_terms(text)) for i, text in docs.items())
    return [doc_id for doc_id, _ in index.search(analyzer.query_terms(wish, language))]


# --- folding, tokens, stop words --------------------------------------------------------------


def test_folding_keeps_the_nordic_letters_and_drops_other_accents() -> None:
    assert fold("ÅLAND Äiti Öljy Café Über") == "åland äiti öljy cafe uber"
    # "sääri" (shin) and "saari" (island) stay different words
    assert tokens("Sääri saari") == ["sääri", "saari"]


def test_tokens_drop_numbers_and_single_letters() -> None:
    assert tokens("Klo 17, 2 kertaa: kokki-kerho / a b") == ["klo", "kertaa", "kokki", "kerho"]


def test_stop_words_leave_only_what_the_wish_is_about(analyzer: Analyzer) -> None:
    assert analyzer.query_terms("haluaisin että minä voisin", "fi") == {}
    assert analyzer.query_terms("I'd like to, I want to", "en") == {}
    terms = analyzer.query_terms("I'd like to go swimming with someone", "en")
    assert stem("swimming", "en") in terms
    assert not {"like", "someon", "someone", "go", "with"} & set(terms)
    colloquial = analyzer.query_terms("mä haluisin et joku tulis mun kaa", "fi")
    assert not {"mä", "haluisin", "mun", "kaa", "joku"} & set(colloquial)


# --- Finnish inflection and compounds ---------------------------------------------------------


def test_inflected_finnish_forms_meet_the_base_form(analyzer: Analyzer) -> None:
    base = analyzer.document_terms("kokkikerho", "fi")
    for form in ("kokkikerhoon", "kokkikerhossa", "kokkikerhon"):
        assert stem("kokkikerho", "fi") in analyzer.query_terms(form, "fi"), form
    assert base[stem("kokkikerho", "fi")] == 1.0


def test_a_compound_also_yields_its_parts_with_a_lower_weight(analyzer: Analyzer) -> None:
    terms = analyzer.document_terms("Kallion kokkikerhossa", "fi")
    whole, club, cook = stem("kokkikerho", "fi"), stem("kerho", "fi"), stem("kokki", "fi")
    assert terms[whole] == 1.0
    assert 0 < terms[club] < terms[whole]
    assert 0 < terms[cook] < terms[whole]
    assert analyzer.splitter.split("ruoanlaittokurssille") == ["ruoanlaitto", "kurssille"]


def test_a_wish_for_the_part_finds_the_compound(analyzer: Analyzer) -> None:
    docs = {"club": "Kokkikerho tiistaisin", "other": "Kirjaston lukupiiri"}
    assert best(analyzer, docs, "kerho", "fi")[0] == "club"
    docs = {"course": "Ruoanlaittokurssi aikuisille", "other": "Tietokonekurssi aikuisille"}
    assert best(analyzer, docs, "ruoanlaitto", "fi") == ["course"]


def test_inflected_words_are_not_cut_into_false_compounds(analyzer: Analyzer) -> None:
    # verb and case endings are not words: tiistai+sin, muut+tavat, koulut+ettu
    for word in ("tiistaisin", "muuttavat", "koulutettu", "lainattavaksi", "kanssa"):
        assert analyzer.splitter.split(word) == [], word


# --- the cross-language bridge ----------------------------------------------------------------


def test_a_finnish_verb_and_an_english_noun_meet_at_one_concept(analyzer: Analyzer) -> None:
    wish = analyzer.query_terms("haluan uida", "fi")
    resource = analyzer.document_terms("Swimming lessons for adults")
    assert SWIMMING in concepts(wish) & concepts(resource)


def test_an_english_wish_finds_a_finnish_resource(analyzer: Analyzer) -> None:
    wish = analyzer.query_terms("I'd like to go swimming with someone", "en")
    resource = analyzer.document_terms("Uintikaveri: käyn uimahallissa kaksi kertaa viikossa")
    assert SWIMMING in concepts(wish) & concepts(resource)
    docs = {
        "swim": "Uintikaveri: käyn uimahallissa kaksi kertaa viikossa.",
        "choir": "Kuoro kaikille, laulamme maanantaisin.",
        "gym": "Kuntosalikaveri Malmilla.",
    }
    assert best(analyzer, docs, "I'd like to go swimming with someone", "en") == ["swim"]


def test_a_finnish_wish_finds_an_english_resource(analyzer: Analyzer) -> None:
    docs = {
        "knit": "Knitting lessons from the very basics at a café.",
        "bike": "Trishaw rides for older people.",
        "phone": "Help with smartphones and apps.",
    }
    assert best(analyzer, docs, "haluun oppia neulomaan", "fi") == ["knit"]
    assert best(analyzer, docs, "tarviin apua kännykän kanssa", "fi")[0] == "phone"


def test_multi_word_labels_are_found_in_running_text(analyzer: Analyzer) -> None:
    terms = analyzer.document_terms("We sing in a community choir: choir singing for all")
    assert "c:yso:p27481" in terms  # kuorolaulu / choir singing


def test_swedish_is_stemmed_and_bridged(analyzer: Analyzer) -> None:
    assert stem("simhallen", "sv") == stem("simhall", "sv")
    wish = analyzer.query_terms("jag vill gå till simhallen", "sv")
    assert "jag" not in wish and "vill" not in wish
    assert INDOOR_POOL in concepts(wish)
    assert INDOOR_POOL in concepts(analyzer.document_terms("Uimahalli", "fi"))
    assert SWIMMING in concepts(analyzer.query_terms("jag vill simma", "sv"))


def test_everyday_word_wins_over_a_label_that_only_shares_its_stem(analyzer: Analyzer) -> None:
    # "tavata" (to meet) stems like "tavat" (customs); the hand-made list says what it means
    meet = concepts(analyzer.query_terms("tavata", "fi"))
    assert meet == concepts(analyzer.query_terms("tapaamiset", "fi"))


# --- language --------------------------------------------------------------------------------


def test_the_language_of_a_resource_is_guessed_or_left_open(analyzer: Analyzer) -> None:
    stop_words = analyzer.stop_words
    finnish = "Kävelemme yhdessä tunnin lenkin lauantaiaamuisin, kaikki ovat tervetulleita"
    english = "We walk together along the seaside every Wednesday evening with friends"
    assert guess_languages(tokens(finnish), stop_words) == ("fi",)
    assert guess_languages(tokens(english), stop_words) == ("en",)
    assert guess_languages(tokens("Sauna"), stop_words) == ("fi", "en")
    # with no language given, a wish is analysed like a resource
    assert analyzer.query_terms("swimming", None)[stem("swimming", "en")] == 1.0


# --- bad input and loading --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "!!!", "12345 678", "😀😀", "- / ,", "a b c"])
def test_empty_or_garbage_input_gives_no_terms(analyzer: Analyzer, text: str) -> None:
    assert analyzer.document_terms(text) == {}
    assert analyzer.query_terms(text, "fi") == {}
    assert analyzer.terms(text) == []


def test_nonsense_words_are_kept_as_they_are(analyzer: Analyzer) -> None:
    terms = analyzer.query_terms("qwzxv " * 1000, None)
    assert set(terms) == {"qwzxv"}
    assert terms["qwzxv"] == 1000.0


def test_the_analyzer_is_loaded_once_per_directory(
    analyzer: Analyzer, reference_data_dir: Path
) -> None:
    assert Analyzer.load(reference_data_dir) is analyzer
    assert Analyzer.load(reference_data_dir / ".." / reference_data_dir.name) is analyzer
    assert len(analyzer.bridge.by_fi_label) > 30_000  # all of YSO, PTV and LIPAS


def test_without_the_vocabularies_the_everyday_words_still_bridge_languages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bare = Analyzer.load(tmp_path / "nowhere")
    assert "KORTISTO_REFERENCE_DATA_DIR" in caplog.text
    assert bare.bridge.by_fi_label == {}
    wish = concepts(bare.query_terms("Haluan uida", "fi"))
    resource = concepts(bare.document_terms("Swimming for everyone on Tuesdays", "en"))
    assert wish and wish == resource
    assert best(bare, {"pool": "Swimming lessons", "choir": "Choir singing"}, "haluan uida", "fi")[
        :1
    ] == ["pool"]


def test_terms_explain_a_text_heaviest_first(analyzer: Analyzer) -> None:
    listed = analyzer.terms("kokkikerho", "fi")
    assert listed[0] == Term(stem("kokkikerho", "fi"), 1.0)
    assert [t.weight for t in listed] == sorted((t.weight for t in listed), reverse=True)


# --- BM25 -------------------------------------------------------------------------------------


def test_idf_has_the_bm25_values() -> None:
    assert idf(0, 10) == pytest.approx(math.log(1 + 10.5 / 0.5))
    assert idf(1, 10) == pytest.approx(math.log(1 + 9.5 / 1.5))
    assert idf(10, 10) == pytest.approx(math.log(1 + 0.5 / 10.5))
    assert idf(10, 10) > 0  # a term in every resource still counts a little, never negatively
    assert idf(3, 0) == 0.0


def test_term_weight_saturates_and_normalises_length() -> None:
    # at average length: tf (k1 + 1) / (tf + k1)
    assert term_weight(1, 10, 10, k1=1.2, b=0.75) == pytest.approx(1.0)
    assert term_weight(2, 10, 10, k1=1.2, b=0.75) == pytest.approx(2 * 2.2 / 3.2)
    # a resource twice the average length: k1 (1 - b + 2b) = 1.2 * 1.75
    assert term_weight(1, 20, 10, k1=1.2, b=0.75) == pytest.approx(2.2 / (1 + 1.2 * 1.75))
    assert term_weight(1, 20, 10, k1=1.2, b=0.0) == pytest.approx(1.0)
    assert term_weight(0, 10, 10) == 0.0
    assert term_weight(1000, 10, 10) < K1 + 1  # saturation
    assert 0 <= B <= 1


def test_score_sums_query_weight_idf_and_stored_weight() -> None:
    stats = CorpusStats(documents=4, document_frequency={"uint": 1, "kerho": 2})
    stored = postings({"uint": 2.0, "kerho": 1.0}, average_length=3.0)
    expected = 1.0 * idf(1, 4) * stored["uint"] + 0.5 * idf(2, 4) * stored["kerho"]
    assert score({"uint": 1.0, "kerho": 0.5, "sauna": 1.0}, stored, stats) == pytest.approx(
        expected
    )
    assert score({"sauna": 1.0}, stored, stats) == 0.0


def test_memory_index_ranks_by_score_and_breaks_ties_by_id() -> None:
    index = MemoryIndex.build(
        [("b", {"uint": 1.0}), ("a", {"uint": 1.0}), ("c", {"uint": 3.0}), ("d", {"kuoro": 1.0})]
    )
    assert [doc for doc, _ in index.search({"uint": 1.0})] == ["c", "a", "b"]
    assert index.search({"uint": 1.0}, limit=1)[0][0] == "c"
    assert index.search({"sauna": 1.0}) == []
    assert index.stats.documents == 4 and index.stats.document_frequency["uint"] == 3
