"""Claim: Kortisto's text relevance (services/matching/ranking: analyzer + BM25) finds the
resources that a support user's wish asks for clearly better than plain BM25 over the same
texts, and far better when the wish and the resources are in different languages.

One run, no database:

1. builds the corpus from the reference data (LIPAS sports-facility types in Finnish, PTV
   service classes in English, the Ohana sample and HSDS 3.0 example services in English) and
   the invented partner cards in ``bench/data/matching-eval/partner_cards.json``;
2. ranks every wish in ``bench/data/matching-eval/wishes.json`` (Finnish and English, with
   graded judgments) with (a) Kortisto's ranker and (b) a plain bm25s baseline (lower-case
   words, bm25s's default English stop words, no stemming, no bridge);
3. prints nDCG@10 and recall@10 overall, for Finnish, English and cross-language wishes, the
   ablations of the analyzer (what stemming, compounds and the bridge each bring), Kortisto's
   worst wishes, and last ``ratio: X`` = Kortisto nDCG@10 / baseline nDCG@10.

    uv run python bench/matching_quality.py              # a few seconds
    uv run python bench/matching_quality.py --worst 15   # more of the worst wishes

A ranker is a function ``rank(wish_text, language) -> [doc_id, ...]`` built by a factory from
the corpus. Kortisto's default ranker indexes as the service does (each resource's own text,
its weights stored with the index's fixed average length: ``resource_postings``) and scores
in memory. ``--ranker module:factory`` plugs in another; ``--ranker
bench.matching_quality:database_factory`` is the service's real index: the resources applied
as `partner.upserted` events to a throw-away PostgreSQL database and ranked by its candidate
SQL over the hashed terms (PostgreSQL as ``KORTISTO_BENCH_ADMIN_DSN``, default root on
127.0.0.1; about 15 s more).
Results and what they mean: docs/matching-text.md.
"""

import argparse
import atexit
import csv
import dataclasses
import importlib
import json
import math
import os
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import psycopg

from services.matching.index.service import AVERAGE_LENGTH, resource_postings
from services.matching.ranking import relevance
from services.matching.ranking.relevance import MemoryIndex
from services.matching.ranking.text import Analyzer
from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
from services.matching.suggestions import candidates
from services.matching.tasks import apply
from shared import migrations
from shared.crypto import seal_for

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "shared" / "data"
EVAL_DIR = ROOT / "bench" / "data" / "matching-eval"
K = 10
ADMIN_DSN = os.environ.get("KORTISTO_BENCH_ADMIN_DSN", "postgresql://root@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    language: str | None = None


@dataclass(frozen=True)
class Wish:
    id: str
    text: str
    language: str
    cross_language: bool
    relevance: dict[str, int]


Ranker = Callable[[str, str | None], list[str]]
RankerFactory = Callable[[Sequence[Document]], Ranker]


# --- the corpus -------------------------------------------------------------------------------


def build_corpus(data_dir: Path = DATA_DIR, eval_dir: Path = EVAL_DIR) -> list[Document]:
    """Every resource the wishes are judged against, as plain text."""
    docs: list[Document] = []
    lipas = json.loads(
        (data_dir / "fi-lipas-sport-facility-types" / "lipas_types.json").read_text()
    )
    for item in lipas["types"]:
        if item.get("status") == "active":
            text = f"{item['name']['fi']}. {item.get('description', {}).get('fi', '')}"
            docs.append(Document(f"lipas:{item['type_code']}", text, "fi"))
    ptv = json.loads((data_dir / "fi-ptv-service-classes" / "ptv_classes_2023.json").read_text())
    for item in ptv["results"]:
        text = f"{item['prefLabel']['en']}. {item['description']['en']}"
        docs.append(Document(f"ptv:{item['codeValue']}", text, "en"))
    with (data_dir / "ohana-sample-csv" / "services.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            text = ". ".join(filter(None, (row["name"], row["description"], row["keywords"])))
            docs.append(Document(f"ohana:{row['id']}", text, "en"))
    with (data_dir / "hsds3-spec-examples" / "csv" / "services.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            text = ". ".join(filter(None, (row["name"], row["alternate_name"], row["description"])))
            docs.append(Document(f"hsds:{row['id']}", text, "en"))
    cards = json.loads((eval_dir / "partner_cards.json").read_text(encoding="utf-8"))["cards"]
    for card in cards:
        # A citizen's name is personal data and never indexed; an organisation's name is
        # part of what it offers ("Kallion kokkikerho").
        parts = [] if card["citizen"] else [card["partner"]]
        parts += [card.get("domain", ""), card["title"], card["description"]]
        docs.append(Document(card["id"], ". ".join(p for p in parts if p), card["language"]))
    return docs


def load_wishes(eval_dir: Path = EVAL_DIR) -> list[Wish]:
    raw = json.loads((eval_dir / "wishes.json").read_text(encoding="utf-8"))["wishes"]
    return [Wish(**w) for w in raw]


# --- rankers ----------------------------------------------------------------------------------


def kortisto_factory(
    analyzer: Analyzer | None = None,
    use_document_language: bool = False,
    fixed_average: bool = True,
) -> RankerFactory:
    """Kortisto's ranker in memory, indexing as the service does: a resource's own text,
    its language guessed (in the resource file it is unknown), its weights stored with the
    index's fixed average length. The variants give the language, or normalise lengths by
    the corpus's own average."""
    analyzer = analyzer or Analyzer.load(DATA_DIR)

    def factory(docs: Sequence[Document]) -> Ranker:
        if not fixed_average:
            index = MemoryIndex.build(
                (
                    d.id,
                    analyzer.document_terms(d.text, d.language if use_document_language else None),
                )
                for d in docs
            )
        elif use_document_language:
            index = MemoryIndex.of_postings(
                (
                    d.id,
                    relevance.postings(analyzer.document_terms(d.text, d.language), AVERAGE_LENGTH),
                )
                for d in docs
            )
        else:
            index = MemoryIndex.of_postings(
                (d.id, resource_postings(analyzer, d.text)[1]) for d in docs
            )

        def rank(text: str, language: str | None) -> list[str]:
            return [doc_id for doc_id, _ in index.search(analyzer.query_terms(text, language), K)]

        return rank

    return factory


def database_factory(docs: Sequence[Document]) -> Ranker:
    """The service's real index: a throw-away database with the ``matching`` schema, each
    resource applied through ``tasks.apply`` as the `partner.upserted` of an organisation
    with one offer (the resource's text), ranked by ``candidates.find`` over the hashed
    terms, which is how suggestions pick by text. The database goes at exit."""
    name = f"kortisto_quality_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    data_dir = Path(tempfile.mkdtemp(prefix="kortisto-quality-"))
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    matching = Matching.build(
        MatchingSettings(
            data_dir=data_dir,
            database_url=f"{base}/{name}",
            environment="test",
            reference_data_dir=DATA_DIR,
        )
    )

    def drop() -> None:
        matching.database.dispose()
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)

    atexit.register(drop)
    migrations.upgrade("matching", matching.database)
    organisation = str(uuid.uuid4())
    documents: dict[str, str] = {}  # partner id -> document id
    for doc in docs:
        partner_id = str(uuid.uuid4())
        documents[partner_id] = doc.id
        card = {"name": "", "offers": [{"title": doc.text, "description": "", "schedule": ""}]}
        payload = {
            "changed_at": "2026-01-01T00:00:00+00:00",
            "rebuild_generation": 0,
            "partner_id": partner_id,
            "organisation_id": organisation,
            "kind": "organisation",
            "status": "active",
            "district_code": None,
            "category_codes": [],
            "tie_strength": "weak",
            "last_contact_on": None,
            "purposes": ["matching"],
            "matching": True,
            "sealed": seal_for(matching.keyring.provider, "matching", partner_id, card),
        }
        message = {"id": str(uuid.uuid4()), "source": "registry", "type": "partner.upserted"}
        if not apply(matching, {**message, "payload": payload}):
            raise SystemExit(f"{doc.id} was not indexed")

    def rank(text: str, language: str | None) -> list[str]:
        query = matching.analyzer.query_terms(text, language)
        with matching.database.session() as session:
            weighed = candidates.weigh(session, matching, query)
            visible = candidates.visible_to(session, organisation)
            found = candidates.find(session, visible, weighed, limit=K)
        return [documents[c.partner_id] for c in found]

    return rank


def baseline_factory(docs: Sequence[Document]) -> Ranker:
    """Plain BM25 (bm25s defaults): lower-case words, English stop words, no stemming."""
    ids = [d.id for d in docs]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([d.text for d in docs], show_progress=False), show_progress=False
    )
    vocabulary = retriever.vocab_dict

    def rank(text: str, language: str | None) -> list[str]:
        words = bm25s.tokenize(text, return_ids=False, show_progress=False)[0]
        known = [w for w in words if w in vocabulary]
        if not known:
            return []
        found, scores = retriever.retrieve([known], k=K, show_progress=False)
        return [ids[i] for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    return rank


def load_factory(spec: str) -> RankerFactory:
    module, _, name = spec.partition(":")
    factory: RankerFactory = getattr(importlib.import_module(module), name)
    return factory


# --- metrics ----------------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], relevance: dict[str, int], k: int = K) -> float:
    gain = sum((2 ** relevance.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal_grades = sorted(relevance.values(), reverse=True)[:k]
    ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
    return gain / ideal if ideal else 0.0


def recall(ranked: Sequence[str], relevance: dict[str, int], k: int = K) -> float:
    relevant = {d for d, g in relevance.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


@dataclass
class Result:
    wish: Wish
    ranked: list[str]
    ndcg: float
    recall: float


def evaluate(rank: Ranker, wishes: Sequence[Wish]) -> list[Result]:
    results = []
    for wish in wishes:
        ranked = rank(wish.text, wish.language)
        results.append(
            Result(wish, ranked, ndcg(ranked, wish.relevance), recall(ranked, wish.relevance))
        )
    return results


GROUPS: dict[str, Callable[[Wish], bool]] = {
    "all": lambda w: True,
    "fi": lambda w: w.language == "fi",
    "en": lambda w: w.language == "en",
    "cross": lambda w: w.cross_language,
}


def summary(results: Sequence[Result]) -> dict[str, tuple[float, float, int]]:
    out = {}
    for name, member in GROUPS.items():
        chosen = [r for r in results if member(r.wish)]
        out[name] = (
            statistics.fmean(r.ndcg for r in chosen) if chosen else 0.0,
            statistics.fmean(r.recall for r in chosen) if chosen else 0.0,
            len(chosen),
        )
    return out


# --- the run ----------------------------------------------------------------------------------


def check_judgments(docs: Sequence[Document], wishes: Sequence[Wish]) -> None:
    ids = {d.id for d in docs}
    languages = {d.id: d.language for d in docs}
    for wish in wishes:
        unknown = set(wish.relevance) - ids
        if unknown:
            raise SystemExit(f"{wish.id}: judged documents not in the corpus: {sorted(unknown)}")
        same = sum(g for d, g in wish.relevance.items() if languages[d] == wish.language)
        if (sum(wish.relevance.values()) - same > same) != wish.cross_language:
            raise SystemExit(f"{wish.id}: cross_language does not match its judgments")


def ablations(docs: Sequence[Document], wishes: Sequence[Wish], base: Analyzer) -> None:
    variants: dict[str, tuple[Analyzer, bool, bool]] = {
        "full analyzer (default)": (base, False, True),
        "resources' languages given": (base, True, True),
        "corpus average length, not 24": (base, False, False),
        "no language guess (fi+en stems)": (dataclasses.replace(base, guess=False), False, True),
        "no compound parts": (dataclasses.replace(base, part_weight=0.0), False, True),
        "no concept bridge": (dataclasses.replace(base, concept_weight=0.0), False, True),
        "stems only": (
            dataclasses.replace(base, part_weight=0.0, concept_weight=0.0),
            False,
            True,
        ),
    }
    print(f"\n{'Kortisto variant':<34} {'nDCG all':>9} {'fi':>6} {'en':>6} {'cross':>6}")
    for name, (analyzer, given, fixed) in variants.items():
        s = summary(evaluate(kortisto_factory(analyzer, given, fixed)(docs), wishes))
        row = "".join(f" {s[g][0]:>6.3f}" for g in ("fi", "en", "cross"))
        print(f"{name:<34} {s['all'][0]:>9.3f}{row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranker", help="module:factory of the ranker under test")
    parser.add_argument("--worst", type=int, default=8, help="how many worst wishes to show")
    parser.add_argument("--no-ablations", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    docs = build_corpus()
    wishes = load_wishes()
    check_judgments(docs, wishes)
    loaded = time.perf_counter()
    analyzer = Analyzer.load(DATA_DIR)
    load_seconds = time.perf_counter() - loaded
    factory = load_factory(args.ranker) if args.ranker else kortisto_factory(analyzer)

    sides = {}
    for name, make in (("kortisto", factory), ("baseline", baseline_factory)):
        t0 = time.perf_counter()
        rank = make(docs)
        t1 = time.perf_counter()
        sides[name] = evaluate(rank, wishes)
        t2 = time.perf_counter()
        print(
            f"{name}: indexed {len(docs)} documents in {t1 - t0:.2f} s, "
            f"ranked {len(wishes)} wishes in {t2 - t1:.2f} s"
        )
    print(f"analyzer load: {load_seconds:.2f} s")
    by_language = {lang: sum(d.language == lang for d in docs) for lang in ("fi", "en")}
    print(
        f"corpus: {len(docs)} documents ({by_language['fi']} fi, {by_language['en']} en); "
        f"wishes: {len(wishes)}"
    )

    print(
        f"\n{'group':<8} {'n':>3}  {'nDCG@10 kortisto':>17} {'baseline':>9}  "
        f"{'recall@10 kortisto':>19} {'baseline':>9}"
    )
    ours, theirs = summary(sides["kortisto"]), summary(sides["baseline"])
    for group in GROUPS:
        (n1, r1, n), (n2, r2, _) = ours[group], theirs[group]
        print(f"{group:<8} {n:>3}  {n1:>17.3f} {n2:>9.3f}  {r1:>19.3f} {r2:>9.3f}")

    if not args.ranker and not args.no_ablations:
        ablations(docs, wishes, analyzer)

    baseline_by_wish = {r.wish.id: r for r in sides["baseline"]}
    print(f"\nworst {args.worst} wishes for Kortisto (nDCG@10, baseline in brackets, top 3):")
    for r in sorted(sides["kortisto"], key=lambda r: (r.ndcg, r.wish.id))[: args.worst]:
        top = (
            ", ".join(f"{d}({r.wish.relevance.get(d, 0)})" for d in r.ranked[:3]) or "nothing found"
        )
        print(
            f"  {r.ndcg:.2f} [{baseline_by_wish[r.wish.id].ndcg:.2f}] {r.wish.id} "
            f"{r.wish.text!r}: {top}"
        )

    print(f"\nrun time: {time.perf_counter() - started:.1f} s")
    ratio = ours["all"][0] / theirs["all"][0] if theirs["all"][0] else float("inf")
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
