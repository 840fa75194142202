"""Turning wishes and resource texts into weighted index terms: folding, stop words, Snowball
stems, Finnish compound parts and concept terms shared across Finnish, Swedish and English.

The same analyzer produces the terms that the resource index stores and the terms of a wish,
so a wish and a resource meet on equal terms. How and why: docs/matching-text.md.
"""

import csv
import json
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

import snowballstemmer

from shared.reference_data.manifest import CATEGORIES_FILE, LIPAS_FILE, SETTING, YSO_FILE

logger = logging.getLogger(__name__)

LANGUAGES: Final = ("fi", "sv", "en")
_SNOWBALL = {"fi": "finnish", "sv": "swedish", "en": "english"}
_PACKAGE = Path(__file__).parent

# Weights of the term kinds, relative to a word's own stem. A compound's parts and a
# resource's concepts are weaker than the words themselves (a "kerho" is not a
# "kokkikerho"; a label match may be a homonym). A wish weighs its concepts more than its
# words: wishes are a few colloquial words whose meaning matters more than their spelling,
# and the concept is the only term that reaches resources in the other language.
# Measured on bench/matching_quality.py; docs/matching-text.md has the figures.
STEM_WEIGHT: Final = 1.0
PART_WEIGHT: Final = 0.5
CONCEPT_WEIGHT: Final = 0.5
QUERY_CONCEPT_WEIGHT: Final = 2.0
CONCEPT_PREFIX: Final = "c:"
# Without the vocabularies, an everyday word list entry stands for a concept of its own.
EVERYDAY_SCHEME: Final = "everyday"

# Compound splitting: parts shorter than this are too often accidental ("tie", "maa" hide in
# many words); a three-letter first part counts only when the lexicon has it as a whole word
# (työ-, yö-).
MIN_PART: Final = 4
MIN_SHORT_PART: Final = 3
MIN_COMPOUND: Final = 7
# Longest label, in words, that is looked for in a text (longer ones are rare and specific).
MAX_LABEL_WORDS: Final = 4
# A label shared by more concepts than this names nothing in particular.
MAX_CONCEPTS_PER_LABEL: Final = 3

_KEEP = {"å", "ä", "ö"}
_TOKEN = re.compile(r"[a-zåäö0-9]+(?:'[a-z]+)?")
_QUALIFIER = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Term:
    """One index or query term and its weight (1.0 for a word's stem)."""

    text: str
    weight: float


# --- folding and tokens ---------------------------------------------------------------------


class _FoldTable(dict[int, str]):
    """str.translate table that works out each non-ASCII character once, on first sight."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        folded = char if char in _KEEP or not base.isascii() else base
        self[code] = folded
        return folded


_FOLD = _FoldTable({ord("’"): "'", ord("`"): "'"})


def fold(text: str) -> str:
    """Lower case without accents, except å, ä and ö, which are letters of their own in
    Finnish and Swedish (``sääri`` is not ``saari``)."""
    lowered = text.casefold()
    if lowered.isascii():
        return lowered.replace("`", "'")
    return unicodedata.normalize("NFC", lowered).translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Folded words of ``text``: letters and digits, an English ``'s``/``'d`` kept on the
    word so that the stop-word lists can catch ``i'd``; pure numbers and single letters
    dropped (times, phone numbers and ages say little about what a resource offers)."""
    words = []
    for match in _TOKEN.finditer(fold(text)):
        word = match.group()
        if len(word) < 2 or word.isdigit():
            continue
        words.append(word)
    return words


# --- reference vocabulary -------------------------------------------------------------------


@cache
def _stemmer(language: str) -> "snowballstemmer.Stemmer":
    return snowballstemmer.stemmer(_SNOWBALL[language])


@lru_cache(maxsize=200_000)  # texts repeat their words a lot
def stem(word: str, language: str) -> str:
    """The Snowball stem of one folded word in ``language`` (fi, sv, en)."""
    return str(_stemmer(language).stemWord(word))


def _stem_all(words: Sequence[str], language: str) -> list[str]:
    return list(_stemmer(language).stemWords(list(words)))


@dataclass(frozen=True)
class StopWords:
    """Small stop-word lists per language (stopwords.json). All of them are dropped from
    every text, whatever its language: none is a content word in another of the three."""

    by_language: dict[str, frozenset[str]]
    everything: frozenset[str]
    own: dict[str, frozenset[str]]  # the words only one language's list has (for guessing)

    @classmethod
    def load(cls) -> "StopWords":
        raw = json.loads((_PACKAGE / "stopwords.json").read_text(encoding="utf-8"))
        by_language = {lang: frozenset(fold(w) for w in raw[lang]) for lang in LANGUAGES}
        own = {
            lang: words.difference(*(by_language[o] for o in LANGUAGES if o != lang))
            for lang, words in by_language.items()
        }
        return cls(by_language, frozenset().union(*by_language.values()), own)

    def __contains__(self, word: object) -> bool:
        return word in self.everything


@dataclass
class ConceptBridge:
    """Concept ids by analysed label, per language: YSO (fi, en), PTV service classes and LIPAS
    sports-facility types (fi, sv, en), plus the everyday words that the ontology lacks
    (``uida`` -> uinti). A text in any of the languages yields the ids of the labels it
    contains, so a Finnish and an English text about swimming share ``c:yso:p4330``."""

    labels: dict[str, dict[tuple[str, ...], frozenset[str]]]
    by_fi_label: dict[str, frozenset[str]]
    everyday: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    everyday_prefixes: dict[str, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def build(
        cls,
        reference: Iterable[tuple[str, dict[str, str]]],
        stop_words: StopWords,
        complete: bool = True,
    ) -> "ConceptBridge":
        """The bridge from (concept id, {language: label}) pairs and the everyday list.
        ``complete``: the reference holds every vocabulary, so each everyday entry must name
        one of its labels; otherwise an entry without one becomes a concept of its own."""
        raw: dict[str, dict[tuple[str, ...], set[str]]] = {lang: {} for lang in LANGUAGES}
        fi_labels: dict[str, set[str]] = defaultdict(set)
        pending: dict[str, list[tuple[str, str]]] = defaultdict(list)  # lang -> (label, id)
        for concept, names in reference:
            for lang, label in names.items():
                if label:
                    pending[lang].append((label, concept))
            if names.get("fi"):
                fi_labels[fold(_QUALIFIER.sub("", names["fi"])).strip()].add(concept)
        for lang, rows in pending.items():
            for (_label, concept), key in zip(
                rows, _analyse_labels([r[0] for r in rows], lang, stop_words), strict=True
            ):
                if key and (len(key) > 1 or len(key[0]) >= 3):
                    raw[lang].setdefault(key, set()).add(concept)
        labels = {
            lang: {
                key: frozenset(ids)
                for key, ids in keys.items()
                if len(ids) <= MAX_CONCEPTS_PER_LABEL
            }
            for lang, keys in raw.items()
        }
        bridge = cls(labels, {k: frozenset(v) for k, v in fi_labels.items()})
        bridge.longest = min(
            MAX_LABEL_WORDS, max((len(k) for keys in labels.values() for k in keys), default=1)
        )
        bridge._load_everyday(_PACKAGE / "everyday_words.json", complete)
        return bridge

    def _load_everyday(self, path: Path, complete: bool) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        exact: dict[str, dict[str, set[str]]] = {lang: defaultdict(set) for lang in LANGUAGES}
        prefixes: dict[str, dict[str, set[str]]] = {lang: defaultdict(set) for lang in LANGUAGES}
        for entry in raw["links"]:
            concepts = self.by_fi_label.get(fold(entry["label"]))
            if not concepts and complete:
                raise ValueError(f"everyday word list: no concept is labelled {entry['label']!r}")
            if not concepts:
                concepts = frozenset({f"{CONCEPT_PREFIX}{EVERYDAY_SCHEME}:{fold(entry['label'])}"})
            for lang in LANGUAGES:
                for word in entry.get(lang, []):
                    word = fold(word)
                    if word.endswith("*"):
                        prefixes[lang][word[:-1]] |= concepts
                    else:
                        exact[lang][word] |= concepts
        self.everyday = {lang: {w: frozenset(c) for w, c in exact[lang].items()} for lang in exact}
        # Longest prefix first, so the most specific entry wins.
        self.everyday_prefixes = {
            lang: sorted(((p, frozenset(c)) for p, c in prefixes[lang].items()), reverse=True)
            for lang in prefixes
        }

    def concepts_of(
        self, words: Sequence[str], stems: Sequence[str], language: str
    ) -> Iterator[frozenset[str]]:
        """Groups of concept ids found in a run of words (folded) and their stems: per word,
        the concepts of its one-word label and of its everyday link, then those of every
        longer label (up to ``longest`` words) that starts at it. The ids of one group are
        alternatives (one label, several senses)."""
        keys = self.labels.get(language, {})
        for start in range(len(stems)):
            yield from self._word_concepts(words[start], stems[start], language)
            for size in range(2, min(self.longest, len(stems) - start) + 1):
                longer = keys.get(tuple(stems[start : start + size]))
                if longer:
                    yield longer

    def _word_concepts(self, word: str, word_stem: str, language: str) -> list[frozenset[str]]:
        exact = self.everyday.get(language, {}).get(word)
        if exact:
            # The hand-made list says exactly what this word means; it wins over a one-word
            # label that only shares the stem (tavata "to meet" is not tavat "customs").
            return [exact]
        # A prefix names a family of words (uima-: uimahalli, uimaranta) whose own labels
        # say more (uimahalli is also the facility type), so both count, each on its own.
        label = self.labels.get(language, {}).get((word_stem,), frozenset())
        prefix = self._everyday_prefix(word, language) - label
        return [found for found in (label, prefix) if found]

    def everyday_concepts(self, word: str, language: str) -> frozenset[str]:
        """Concepts that an everyday word (a verb, a colloquial noun) stands for."""
        return self.everyday.get(language, {}).get(word) or self._everyday_prefix(word, language)

    def _everyday_prefix(self, word: str, language: str) -> frozenset[str]:
        for prefix, concepts in self.everyday_prefixes.get(language, []):
            if word.startswith(prefix):
                return concepts
        return frozenset()


def _analyse_labels(
    labels: Sequence[str], language: str, stop_words: StopWords
) -> list[tuple[str, ...]]:
    words = [
        [w for w in tokens(_QUALIFIER.sub("", label)) if w not in stop_words] for label in labels
    ]
    # One call to the stemmer for all labels: per-call overhead dominates otherwise.
    stems = iter(_stem_all([w for label in words for w in label], language))
    return [tuple(next(stems) for _ in label) for label in words]


def _reference_labels(data_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(concept id, {language: label}) from those of the three reference vocabularies that
    ``data_dir`` holds."""
    if (data_dir / YSO_FILE).is_file():
        with (data_dir / YSO_FILE).open(encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                uri = row["uri"].rstrip("/")
                scheme = "ysopaikat" if "/yso-paikat/" in uri else "yso"
                yield (
                    f"{CONCEPT_PREFIX}{scheme}:{uri.rsplit('/', 1)[-1]}",
                    {"fi": row["label_fi"], "en": row["label_en"]},
                )
    if (data_dir / CATEGORIES_FILE).is_file():
        ptv = json.loads((data_dir / CATEGORIES_FILE).read_text("utf-8"))
        for item in ptv["results"]:
            labels = item.get("prefLabel", {})
            yield (
                f"{CONCEPT_PREFIX}ptv:{item['codeValue']}",
                {lang: labels.get(lang, "") for lang in LANGUAGES},
            )
    if (data_dir / LIPAS_FILE).is_file():
        lipas = json.loads((data_dir / LIPAS_FILE).read_text("utf-8"))
        for group, kind in (
            ("main_categories", "lipas-cat"),
            ("sub_categories", "lipas-cat"),
            ("types", "lipas"),
        ):
            for item in lipas[group]:
                names = item["name"]
                yield (
                    f"{CONCEPT_PREFIX}{kind}:{item['type_code']}",
                    {
                        "fi": names.get("fi", ""),
                        "sv": names.get("se", ""),
                        "en": names.get("en", ""),
                    },
                )


@dataclass
class CompoundSplitter:
    """Splits Finnish compounds into known parts, greedily taking the longest known first part:
    ``kokkikerhoon`` -> ``kokki`` + ``kerhoon``. A part is known when the lexicon has the
    word (or, for the last part, which carries the inflection, its stem)."""

    words: frozenset[str]
    stems: frozenset[str]

    @classmethod
    def from_labels(cls, labels: Iterable[tuple[str, bool]]) -> "CompoundSplitter":
        """The lexicon from (Finnish label, is a category label) pairs: one-word labels, with
        singular guesses for plural ones. YSO labels with a capital are places and names,
        left out. Words of longer labels are left out too: they bring in pronouns and verb
        forms (muut, tavat) that cut ordinary words apart (muut+tavat)."""
        words: set[str] = set()
        for label, category in labels:
            label = _QUALIFIER.sub("", label).strip()
            if not label or (label[0].isupper() and not category):
                continue
            parts = label.replace("-", " ").replace("/", " ").split()
            if len(parts) > 1 and " " in label:
                continue
            for word in parts:
                word = fold(word)
                if len(word) < MIN_SHORT_PART or not word.isalpha():
                    continue
                words.add(word)
                words.update(g for g in _singulars(word) if len(g) >= MIN_PART)
        stems = set(_stem_all(sorted(words), "fi"))
        return cls(frozenset(words), frozenset(s for s in stems if len(s) >= MIN_SHORT_PART))

    def _known_head(self, part: str) -> bool:
        # The last part carries the inflection: a short one counts only uninflected, as a
        # word of the lexicon (muutto+apu), since short endings are not words (tiistai+sin).
        if len(part) < MIN_PART:
            return len(part) >= MIN_SHORT_PART and part in self.words
        return part in self.words or stem(part, "fi") in self.stems

    def _known_modifier(self, part: str) -> bool:
        # A first part is in the nominative or genitive singular (kokki-, ruoan-), never a
        # nominative plural: koulut+ettu, lainat+tavaksi are verb forms, not compounds.
        return len(part) >= MIN_SHORT_PART and not part.endswith("t") and part in self.words

    def split(self, word: str) -> list[str]:
        """The parts of ``word`` (folded), or [] if it is not a compound of known parts."""
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return []
        return list(self._split(word, whole=True) or ())

    @lru_cache(maxsize=100_000)  # noqa: B019 one splitter lives as long as the process
    def _split(self, word: str, whole: bool) -> tuple[str, ...] | None:
        if not whole and self._known_head(word):
            return (word,)
        for end in range(len(word) - MIN_SHORT_PART, MIN_SHORT_PART - 1, -1):
            head = word[:end]
            if not self._known_modifier(head):
                continue
            rest = self._split(word[end:], whole=False)
            if rest:
                return (head, *rest)
        return None

    def __hash__(self) -> int:
        return id(self)


def _singulars(word: str) -> list[str]:
    """Singular guesses for a Finnish plural label (YSO names countable things in the plural:
    ``kerhot``, ``kokit``, ``ihmiset``), so the lexicon knows ``kerho``, ``kokki``."""
    if not word.endswith("t") or len(word) < 4:
        return []
    base = word[:-1]
    guesses = [base]
    # Consonant gradation: the plural has the weak grade (kokit), the singular the strong one.
    if len(base) >= 3 and base[-2] in "kpt" and base[-3] not in "kpt":
        guesses.append(base[:-2] + base[-2] * 2 + base[-1])
    elif len(base) >= 3 and base[-2] == "d":
        guesses.append(base[:-2] + "t" + base[-1])  # kodit -> koti
    if base.endswith("se"):
        guesses.append(base[:-2] + "nen")  # ihmiset -> ihminen
    return guesses


# --- language ---------------------------------------------------------------------------------

_FI_ENDINGS = (
    "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "ksi", "nen", "isin", "aan",
    "ään", "ita", "itä", "mme", "tte", "ja", "jä",
)  # fmt: skip
_EN_ENDINGS = ("ing", "tion", "ed", "ly", "ies", "ness", "ment", "ful")


def guess_languages(words: Sequence[str], stop_words: StopWords) -> tuple[str, ...]:
    """The language(s) a text is probably in, from stop words of one language only, letters
    and endings. Cheap and rough: when the evidence is thin, the two best guesses (resources
    are written in Finnish or English, and a wrong single guess loses the stems)."""
    score = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        for lang in LANGUAGES:
            if word in stop_words.own[lang]:
                score[lang] += 1.0
        if "å" in word:
            score["sv"] += 1.0
        elif "ä" in word or "ö" in word:
            score["fi"] += 0.5
            score["sv"] += 0.25
        if word.endswith(_FI_ENDINGS):
            score["fi"] += 0.5
        if word.endswith(_EN_ENDINGS):
            score["en"] += 0.5
    ranked = sorted(LANGUAGES, key=lambda lang: score[lang], reverse=True)
    best, second = ranked[0], ranked[1]
    if score[best] >= 2 and score[best] >= 2 * score[second]:
        return (best,)
    if score[best] == 0:
        return ("fi", "en")
    return (best, second)


# --- the analyzer -----------------------------------------------------------------------------


@dataclass
class Analyzer:
    """Text to weighted terms: the same for the resources that are indexed and the wishes
    that are looked up."""

    stop_words: StopWords
    bridge: ConceptBridge
    splitter: CompoundSplitter
    part_weight: float = PART_WEIGHT
    concept_weight: float = CONCEPT_WEIGHT
    query_concept_weight: float = QUERY_CONCEPT_WEIGHT
    # Guess the language of a text whose language is not given; when off, such a text is
    # stemmed as both Finnish and English (compared in bench/matching_quality.py).
    guess: bool = True

    @classmethod
    def load(cls, data_dir: Path) -> "Analyzer":
        """The analyzer for the reference data in ``data_dir`` (the ``reference_data_dir``
        setting); built once per directory and process."""
        return _load(Path(data_dir).resolve())

    def document_terms(self, text: str, language: str | None = None) -> dict[str, float]:
        """Index terms of a resource text: term -> weighted term frequency. The language is
        guessed unless the resource states it."""
        return self._analyse(text, language, self.concept_weight)

    def query_terms(self, text: str, language: str | None) -> dict[str, float]:
        """Terms of a wish in ``language`` (fi, sv, en; guessed when None or unknown):
        term -> query weight."""
        return self._analyse(text, language, self.query_concept_weight)

    def terms(self, text: str, language: str | None = None) -> list[Term]:
        """The document terms as a list, heaviest first (for explaining a match)."""
        weighted = self.document_terms(text, language)
        return [Term(t, w) for t, w in sorted(weighted.items(), key=lambda i: (-i[1], i[0]))]

    def _analyse(self, text: str, language: str | None, concept_weight: float) -> dict[str, float]:
        every_word = tokens(text)
        if language in LANGUAGES:
            languages: tuple[str, ...] = (language,)
        elif self.guess:
            languages = guess_languages(every_word, self.stop_words)
        else:
            languages = ("fi", "en")
        return self._terms(self._content_words(every_word), languages, concept_weight)

    def _content_words(self, every_word: Sequence[str]) -> list[str]:
        words = []
        for word in every_word:
            if word in self.stop_words:
                continue
            if "'" in word:  # an English possessive or contraction left after the stop words
                word = word.split("'", 1)[0]
                if len(word) < 2 or word in self.stop_words:
                    continue
            words.append(word)
        return words

    def _terms(
        self, words: Sequence[str], languages: Sequence[str], concept_weight: float
    ) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        # Concepts found through each language; a concept that two stemmings of the same
        # words both find counts once per occurrence, not twice.
        concepts: dict[str, float] = {}
        for lang in languages:
            found: dict[str, float] = defaultdict(float)
            stems = [stem(w, lang) for w in words]
            for ids in self.bridge.concepts_of(words, stems, lang):
                # An ambiguous label ("play", "people") shares one word's weight among its
                # concepts instead of counting once for each.
                for concept in ids:
                    found[concept] += concept_weight / len(ids)
            for concept, weight in found.items():
                concepts[concept] = max(concepts.get(concept, 0.0), weight)
        for word in words:
            # A word's stem counts once, whichever languages stemmed it (alike or not).
            for term in {stem(word, lang) for lang in languages}:
                out[term] += STEM_WEIGHT
            if "fi" in languages:
                self._add_parts(out, word, concept_weight)
        for concept, weight in concepts.items():
            out[concept] += weight
        return dict(out)

    def _add_parts(self, out: dict[str, float], word: str, concept_weight: float) -> None:
        parts = self.splitter.split(word)
        if not parts:
            return
        for part in parts:
            part_stem = stem(part, "fi")
            out[part_stem] += self.part_weight
            for concepts in self.bridge.concepts_of([part], [part_stem], "fi"):
                self._add_concepts(out, concepts, self.part_weight * concept_weight)

    @staticmethod
    def _add_concepts(out: dict[str, float], concepts: Collection[str], weight: float) -> None:
        for concept in concepts:
            out[concept] += weight / len(concepts)


@cache
def _load(data_dir: Path) -> Analyzer:
    lacking = [
        str(p) for p in (YSO_FILE, CATEGORIES_FILE, LIPAS_FILE) if not (data_dir / p).is_file()
    ]
    if lacking:
        # Once per process: words still meet by their stems and the everyday word list.
        logger.warning(
            "matching's vocabularies are missing in %s (%s): texts are matched without them; "
            "`kortisto fetch-reference-data` downloads them, or set %s",
            data_dir,
            ", ".join(lacking),
            SETTING,
        )
    reference = list(_reference_labels(data_dir))
    stop_words = StopWords.load()
    bridge = ConceptBridge.build(reference, stop_words, complete=not lacking)
    splitter = CompoundSplitter.from_labels(
        (names["fi"], not concept.startswith(f"{CONCEPT_PREFIX}yso"))
        for concept, names in reference
        if names.get("fi")
    )
    return Analyzer(stop_words, bridge, splitter)
