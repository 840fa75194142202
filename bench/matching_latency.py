"""Claim: "Latency: top 10 for a wish among 100,000 indexed resources, p95 under 50 ms on
this machine; an indexed update visible within 1 s of the event." Measured against a
baseline of the same wishes as a plain PostgreSQL full-text search over an unencrypted
table of the same resources.

One run, on its own throw-away PostgreSQL database (``kortisto_bench_<random>``, dropped at
the end) and a master key in a temporary folder:

1. migrates the ``matching`` schema and applies, through ``tasks.apply``, the default
   reference data as the registry publishes it (``reference.changed``, built by the
   registry's own code in a registry schema of the same database, then dropped) and three
   organisations' memberships of one active pool (``pool.membership_changed``);
2. seeds partners until their resources total ``--resources`` (default 100,000): Finnish
   and English organisation offers and available resources, and citizens' skills and
   competence or strength cards, generated from the word lists of ``bench/search.py`` with
   a fixed seed, validated with the registry's ``parse_card`` and cut to what `matching`
   consent lets matching hold. Every partner holds `matching` consent; most are pooled,
   some not, a few shared with the first organisation by name. They are stored as
   ``apply_partner_upserted`` stores them (document sealed under a new subject key, one
   ``Resource`` per offer, skill, card and available resource, its own text analysed with
   the real analyzer, BM25 weights, HMAC-hashed terms)
   but in bulk: ``--workers`` processes compute the rows and the parent loads them with
   COPY, the keys and indexes of the three index tables built once after the load;
3. checks the bulk path against the real one: ``--verify`` partners are left out of the
   bulk load and applied as ``partner.upserted`` events through ``tasks.apply``; their
   stored rows must equal what the bulk path computes for them, term hashes and weights
   included, and bulk-loaded documents must open through matching's keyring;
4. loads the same resources into ``plain.resources`` (text in the clear, a generated
   ``to_tsvector('simple', text)`` column with a GIN index, owner and sharing as columns);
5. creates support users of the first organisation (district, free times, accessibility
   needs, `matching` consent) through matching's services and gives them the 68 wishes of
   ``bench/data/matching-eval/wishes.json`` (Finnish and English, short, colloquial);
6. times, for every wish, the real ``suggestions.service.suggest`` (what
   ``GET /wishes/{id}/suggestions`` runs, minus HTTP: the wish and profile decrypted, the
   query analysed and hashed, the candidate SQL, ranking on every signal, the top 10
   partners' documents decrypted, the access-log event written, committed) and the
   baseline: the top 10 by ``ts_rank`` among the resources the organisation may see, of
   the wish's words, stop words left out, OR-ed into a ``tsquery`` (the same input
   Kortisto's query gets). A second form, "all words", OR-s
   every word of the wish as ``plainto_tsquery`` splits it, stop words included. All sides
   interleaved and shuffled, for ``--rounds`` rounds after a warm-up; prints p50/p95
   (medians over rounds), where a suggestion's time goes and the plan of the slowest
   wish's candidate statement;
7. starts a real Celery worker (``celery -A services.reminders.worker worker``) on a queue
   of its own in an empty Redis database, sends ``matching.events.apply`` with a
   ``partner.upserted`` for ``--updates`` changed partners (a new offer with a word no
   other resource has) and polls until the new offer is committed and ``rank`` puts it in
   the top 10: p50, p95 and max in ms, from sending the event until it is found;
8. prints ``ratio: X`` last, X = Kortisto p95 / baseline p95.

    uv run python bench/matching_latency.py                    # 100,000 resources: 3.5-5.5 min
    uv run python bench/matching_latency.py --resources 10000  # quick check: about 45 s

Results and what they mean: docs/performance.md, "Matching: latency".
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import psycopg
import redis
from celery import Celery
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

from bench import search as words
from bench.throwaway import (
    ADMIN_DSN,
    bench_database,
    key_directory,
    libpq_dsn,
    process_group,
    reference_data_dir,
)
from services.matching.index import service as index
from services.matching.index.documents import easy_read, resources_of, step_free
from services.matching.index.models import IndexedPartner, Posting, Resource, resource_key
from services.matching.ranking.text import fold
from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
from services.matching.suggestions.service import Need, rank, suggest
from services.matching.support_users import service as support_users
from services.matching.support_users.schemas import ConsentIn, SupportUserIn
from services.matching.tasks import apply
from services.matching.wishes import service as wishes
from services.matching.wishes.schemas import WishIn
from services.registry.partners.service import parse_card
from services.registry.partners.sharing import card_for
from services.registry.reference.defaults import load_defaults
from services.registry.reference.events import reference_payload
from shared import migrations
from shared.auth import Principal
from shared.crypto import DataKey, Keyring, seal_for
from shared.crypto.documents import seal_document
from shared.crypto.keyring import (
    BLIND_INDEX,
    ORGANISATION,
    SUBJECT,
    Executor,
    first_subject_key,
)
from shared.database import Database

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379"
WISHES_FILE = ROOT / "bench" / "data" / "matching-eval" / "wishes.json"
# The baseline is measured in two forms: the wish's own words without stop words (the same
# input Kortisto's query gets), and literally all words.
SIDES = ("kortisto", "baseline", "all words")
TARGET_MS = 50.0
UPDATE_TARGET_MS = 1000.0
NO_SESSION = cast(Session, None)  # the bulk keyring holds its keys: no session needed
Row = dict[str, Any]

# --- word lists ----------------------------------------------------------------------------


def _items(listed: Sequence[str]) -> list[str]:
    """The items of one of bench/search.py's "|"-separated lists. Some of them were split on
    white space instead of "|" (multi-word items came apart); joining them back with spaces
    and splitting on "|" restores the items whichever way the list was split."""
    if not any("|" in item for item in listed):
        return [item for item in listed if item]
    return [item.strip() for item in " ".join(listed).split("|") if item.strip()]


OFFER_TITLES = _items(words.OFFER_TITLES)
SKILLS = _items(words.SKILLS)
RESOURCES = _items(words.RESOURCES)
TARGET_GROUPS = _items(words.TARGET_GROUPS)
FACILITIES = _items(words.FACILITIES)
ORG_NOUNS_EN = _items(words.ORG_NOUNS_EN)
ORG_NOUNS_FI = _items(words.ORG_NOUNS_FI)
DESCRIPTION_WORDS = _items(words.DESCRIPTION_WORDS)
DISTRICTS = words.DISTRICTS  # (postal code, name, genitive)
FIRST_NAMES, LAST_NAMES = words.FIRST_NAMES, words.LAST_NAMES

# The themes of bench/search.py's categories as codes of the default categories (the PTV
# service classes), whose labels in three languages ranking matches a wish against.
CATEGORY_CODES = {
    "housing": "P1",
    "food": "P5.20",
    "culture": "P25",
    "sports": "P27.1",
    "digital": "P9.4",
    "employment": "P10.1",
    "health": "P5",
    "children": "P3",
    "elderly": "P4.2",
    "immigrants": "P4.11",
    "crafts": "P25.7",
    "environment": "P23",
    "education": "P6.10",
    "peer-support": "P4.12",
    "volunteering": "P8.4",
    "mental-health": "P5.7",
}
CODES = sorted(CATEGORY_CODES.values())
DOMAINS = [
    *("housework", "crafts", "languages", "technology", "outdoors", "arts", "sports"),
    *("care", "cooking", "teaching", "other"),
]
SCHEDULE_DAYS = [
    *("maanantaisin", "tiistaisin", "keskiviikkoisin", "torstaisin", "perjantaisin"),
    *("Mondays", "Wednesdays", "Saturdays"),
]

# Some wishes come with a category the support worker picked: by a word of the wish.
WISH_CATEGORIES = (
    (("kokk", "ruoka", "cook", "bake"), "P5.20"),
    (("uima", "swim", "kuntosali", "gym", "jalkapallo", "football", "pyöräil", "cycl"), "P27.1"),
    (("musiik", "music", "laula", "sing", "maala", "paint", "teatteri", "guitar"), "P25.2"),
    (("töihin", "job", "work"), "P10.1"),
    (("raha", "money"), "P15.1"),
    (("kännyk", "phone", "tietokone"), "P9.4"),
    (("yksinäi", "lonley", "ystävä", "friend"), "P4.12"),
    (("asunto", "flat", "muuttoon"), "P1"),
    (("englanti", "finnish", "lukemaan"), "P22.3"),
)

# Words for the changed partners' new offers: activities that no generated resource has.
NEW_ACTIVITIES = [
    *("melonta", "keilailu", "kiipeily", "frisbeegolf", "miekkailu", "jousiammunta"),
    *("keramiikka", "kalligrafia", "origami", "purjehdus", "sukellus", "lumikenkäily"),
    *("geokätköily", "linturetki", "tähtiharrastus", "mehiläistarhaus", "lasinpuhallus"),
    *("nukketeatteri", "improvisaatio", "skeittaus", "curling", "beatbox", "kanoeing"),
    *("rowing", "pottery", "fencing", "archery", "sailing"),
]

# --- the world and the partners ------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Three organisations in one active pool; support users belong to the first."""

    organisations: tuple[str, str, str]
    pool_id: str
    staff_user: str
    changed_at: str  # of every seeded partner.upserted

    @property
    def own(self) -> str:
        return self.organisations[0]

    def staff(self) -> Principal:
        return Principal(self.staff_user, self.own, frozenset({"staff"}))


@dataclass(frozen=True)
class Spec:
    """One partner as its `partner.upserted` event describes it."""

    index: int
    id: str
    organisation_id: str
    kind: str
    district_code: str
    category_codes: tuple[str, ...]
    tie_strength: str
    last_contact_on: str | None
    purposes: tuple[str, ...]
    document: dict[str, Any]  # what `matching` consent lets matching hold


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _offer(rng: random.Random) -> dict[str, str]:
    start = rng.randint(9, 18)
    return {
        "title": rng.choice(OFFER_TITLES),
        "description": " ".join(rng.sample(DESCRIPTION_WORDS, rng.randint(4, 12))),
        "schedule": f"{rng.choice(SCHEDULE_DAYS)} {start}-{start + rng.randint(1, 3)}",
    }


def _organisation_card(rng: random.Random) -> dict[str, Any]:
    _, place, genitive = rng.choice(DISTRICTS)
    if rng.random() < 0.7:
        suffix = rng.choice(["ry", "ry", "", "säätiö"])
        name = f"{genitive} {rng.choice(ORG_NOUNS_FI).lower()} {suffix}".strip()
    else:
        name = f"{place} {rng.choice(ORG_NOUNS_EN)}"
    return {
        "name": name,
        "contact": {"email": f"info{rng.randrange(10**6)}@example.org"},
        "target_group": ", ".join(rng.sample(TARGET_GROUPS, rng.randint(1, 2))),
        "facilities": ", ".join(rng.sample(FACILITIES, rng.randint(0, 3))),
        "offers": [_offer(rng) for _ in range(rng.randint(1, 3))],
        "contact_person": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "resources_available": rng.sample(RESOURCES, rng.randint(0, 3)),
        "resources_needed": rng.sample(RESOURCES, rng.randint(0, 2)),
        "notes": "sisäinen muistiinpano",
    }


def _citizen_card(rng: random.Random) -> dict[str, Any]:
    slots = []
    for weekday in sorted(rng.sample(range(1, 8), rng.randint(0, 2))):
        start = rng.randint(9, 17)
        slots.append({"weekday": weekday, "start": f"{start:02}:00", "end": f"{start + 2:02}:00"})
    return {
        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "contact": {"phone": f"040 {rng.randrange(10**7):07d}"},
        "availability": slots,
        "birthday": date(rng.randint(1940, 2005), rng.randint(1, 12), 1).isoformat(),
        "skills": rng.sample(SKILLS, rng.randint(1, 5)),
        "notes": "yksityinen",
    }


def _competences(rng: random.Random) -> list[dict[str, str]]:
    """Competence and strength cards, as the registry puts them in the matching document."""
    if rng.random() >= 0.3:
        return []
    return [
        {
            "kind": "competence" if rng.random() < 0.7 else "strength",
            "domain": rng.choice(DOMAINS),
            "title": rng.choice(SKILLS).capitalize(),
            "description": " ".join(rng.sample(DESCRIPTION_WORDS, rng.randint(3, 10))),
        }
        for _ in range(rng.randint(1, 2))
    ]


def matching_document(kind: str, card: dict[str, Any], competences: list[Any]) -> dict[str, Any]:
    """What ``registry.partners.service.matching_document`` sends: the card validated and
    stored as the registry stores it, cut to the `contact` scope, without contact details,
    with the competence cards."""
    stored = parse_card(kind, card).model_dump(mode="json")
    document = card_for(stored, "contact")
    document.pop("contact", None)
    document["competences"] = competences
    return document


def _purposes(rng: random.Random, world: World, organisation_id: str) -> tuple[str, ...]:
    """Every indexed partner holds `matching`; 80 % are pooled, some of the others are
    shared with the first organisation by name, the rest stay with their owner."""
    purposes = ["file", "matching", "team"]
    roll = rng.random()
    if roll < 0.8:
        purposes.append(f"pool:{world.pool_id}")
    elif roll < 0.85 and organisation_id != world.own:
        purposes.append(f"organisation:{world.own}")
    return tuple(sorted(purposes))


def make_spec(index: int, world: World, seed: int) -> Spec:
    """The ``index``-th partner; the same for the same seed in whichever process."""
    rng = random.Random(f"{seed}:{index}")
    organisation_id = world.organisations[index % 3]
    kind = "citizen" if rng.random() < 0.6 else "organisation"
    card = _citizen_card(rng) if kind == "citizen" else _organisation_card(rng)
    competences = _competences(rng) if kind == "citizen" else []
    contact = None if rng.random() < 0.3 else date(2025, 1, 1) + timedelta(rng.randrange(500))
    return Spec(
        index=index,
        id=_uuid(rng),
        organisation_id=organisation_id,
        kind=kind,
        district_code=rng.choice(DISTRICTS)[0],
        category_codes=tuple(sorted(rng.sample(CODES, rng.randint(1, 3)))),
        tie_strength="strong" if rng.random() < 0.25 else "weak",
        last_contact_on=contact.isoformat() if contact else None,
        purposes=_purposes(rng, world, organisation_id),
        document=matching_document(kind, card, competences),
    )


def upserted_message(
    matching: Matching, spec: Spec, changed_at: str, document: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`partner.upserted` as ``registry.partners.service.publish_upserted`` publishes it."""
    payload = {
        "changed_at": changed_at,
        "rebuild_generation": 0,
        "partner_id": spec.id,
        "organisation_id": spec.organisation_id,
        "kind": spec.kind,
        "status": "active",
        "district_code": spec.district_code,
        "category_codes": list(spec.category_codes),
        "tie_strength": spec.tie_strength,
        "last_contact_on": spec.last_contact_on,
        "purposes": list(spec.purposes),
        "matching": True,
        "sealed": seal_for(
            matching.keyring.provider, "matching", spec.id, document or spec.document
        ),
    }
    return _message("partner.upserted", payload)


def _message(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "registry", "type": type_, "payload": payload}


# --- the rows apply_partner_upserted writes, in bulk ---------------------------------------


class BulkKeyring(Keyring):
    """Matching's keyring with the organisation keys and the index key held in memory: each
    partner's subject key is made and wrapped as ``Keyring._create`` makes it, but collected
    for COPY. Sealing and term hashing are the keyring's own code."""

    def __init__(self, base: Keyring, known: dict[tuple[str, str], DataKey]) -> None:
        super().__init__(base.provider, base.table, base.service, phone_region=base.phone_region)
        self.known = known
        self.new_keys: list[Row] = []

    def _current_key(
        self, session: Executor, kind: str, organisation_id: str, subject_id: str | None
    ) -> DataKey:
        if kind != SUBJECT:
            return self.known[(kind, organisation_id)]
        assert subject_id is not None  # a subject key is for someone
        row, key = first_subject_key(
            self.known[(ORGANISATION, organisation_id)], organisation_id, subject_id
        )
        self.new_keys.append(row)
        return key


_COLUMNS = {
    "matching.data_keys": "id kind organisation_id subject_id version wrapped wrapped_by "
    "created_at shredded_at",
    "matching.indexed_partners": "partner_id organisation_id kind district_code category_codes "
    "tie_strength last_contact_on shared_with step_free easy_read document_encrypted event_at "
    "rebuild_generation indexed_at",
    "matching.resources": "id key partner_id kind position length slots",
    "matching.resource_postings": "resource_key term weight",
    "plain.resources": "id partner_id organisation_id pool_shared shared_with_organisations "
    "kind title text",
}
COLUMNS = {table: tuple(columns.split()) for table, columns in _COLUMNS.items()}
JSON_COLUMNS = {"category_codes", "slots"}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(column: str, value: Any) -> str:
    """A value in COPY's text format; JSON columns as SQLAlchemy's JSON type writes them."""
    if column in JSON_COLUMNS:
        value = json.dumps(value)
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, list | tuple):
        return "{" + ",".join(f'"{v}"' for v in value) + "}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(table: str, row: Row) -> str:
    return "\t".join(_copy_field(column, row.get(column)) for column in COLUMNS[table]) + "\n"


def _shared_with(purposes: Sequence[str]) -> str:
    return "|" + "".join(f"{p}|" for p in purposes if p.startswith(("pool:", "organisation:")))


def index_rows(bulk: SimpleNamespace, spec: Spec, world: World) -> dict[str, list[Row]]:
    """The rows ``apply_partner_upserted`` and ``_index_resources`` write for the partner's
    first event, and the plain table's twin of each resource."""
    document = spec.document
    partner = {
        "partner_id": spec.id,
        "organisation_id": spec.organisation_id,
        "kind": spec.kind,
        "district_code": spec.district_code,
        "category_codes": list(spec.category_codes),
        "tie_strength": spec.tie_strength,
        "last_contact_on": spec.last_contact_on,
        "shared_with": _shared_with(spec.purposes),
        "step_free": step_free(document),
        "easy_read": easy_read(document),
        "event_at": world.changed_at,
        "rebuild_generation": 0,
        "indexed_at": datetime.now(UTC),
        "document_encrypted": seal_document(
            bulk.keyring,
            NO_SESSION,
            organisation_id=spec.organisation_id,
            subject_id=spec.id,
            table="indexed_partners",
            row_id=spec.id,
            document=document,
        ),
    }
    rows: dict[str, list[Row]] = defaultdict(list)
    rows["matching.indexed_partners"].append(partner)
    named = [p.split(":", 1)[1] for p in spec.purposes if p.startswith("organisation:")]
    for draft in resources_of(spec.kind, document):
        length, weights = index.resource_postings(bulk.analyzer, draft.text)
        resource_id = f"{spec.id}:{draft.kind}:{draft.position}"
        key = resource_key(resource_id)
        rows["matching.resources"].append(
            {
                "id": resource_id,
                "key": key,
                "partner_id": spec.id,
                "kind": draft.kind,
                "position": draft.position,
                "length": length,
                "slots": [slot.as_dict() for slot in draft.slots],
            }
        )
        terms = list(weights)
        for term, hashed in zip(
            terms, index.hashed_terms(NO_SESSION, cast(Matching, bulk), terms), strict=True
        ):
            rows["matching.resource_postings"].append(
                {"resource_key": key, "term": hashed, "weight": weights[term]}
            )
        rows["plain.resources"].append(
            {
                "id": resource_id,
                "partner_id": spec.id,
                "organisation_id": spec.organisation_id,
                "pool_shared": f"pool:{world.pool_id}" in spec.purposes,
                "shared_with_organisations": named,
                "kind": draft.kind,
                "title": draft.title,
                "text": draft.text,
            }
        )
    return rows


_WORKER: dict[str, Any] = {}


def _init_worker(bulk: SimpleNamespace, world: World, seed: int) -> None:
    _WORKER.update(bulk=bulk, world=world, seed=seed)


def seal_batch(indexes: Sequence[int]) -> dict[str, bytes]:
    """COPY payloads (text format) for a batch of partners, one per table."""
    try:
        bulk: SimpleNamespace = _WORKER["bulk"]
        bulk.keyring.new_keys.clear()
        lines: dict[str, list[str]] = defaultdict(list)
        for number in indexes:
            spec = make_spec(number, _WORKER["world"], _WORKER["seed"])
            for table, rows in index_rows(bulk, spec, _WORKER["world"]).items():
                lines[table].extend(_copy_line(table, row) for row in rows)
        lines["matching.data_keys"] = [
            _copy_line("matching.data_keys", key) for key in bulk.keyring.new_keys
        ]
        return {table: "".join(rows).encode() for table, rows in lines.items()}
    except Exception as exc:  # the project's errors do not pickle back to the parent
        raise RuntimeError(f"sealing partners {indexes[0]}..: {exc!r}") from None


# --- database ------------------------------------------------------------------------------


PLAIN_SCHEMA = """
CREATE SCHEMA plain;
CREATE TABLE plain.resources (
    id varchar(80) PRIMARY KEY,
    partner_id varchar(36) NOT NULL,
    organisation_id varchar(36) NOT NULL,
    pool_shared boolean NOT NULL,
    shared_with_organisations varchar(36)[] NOT NULL,
    kind varchar(16) NOT NULL,
    title text NOT NULL,
    text text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX plain_resources_tsv ON plain.resources USING gin (tsv);
CREATE INDEX plain_resources_owner ON plain.resources (organisation_id);
"""


def reference_message(url: str, data_dir: Path) -> dict[str, Any]:
    """`reference.changed` for the defaults, built by the registry from the real files in a
    registry schema of this database that is dropped again."""
    registry = Database(url, "registry")
    try:
        migrations.upgrade("registry", registry)
        with registry.sessions() as session:
            load_defaults(session, data_dir)
            payload = reference_payload(session, None)
            session.rollback()
    finally:
        registry.dispose()
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA registry CASCADE")
    return _message("reference.changed", payload)


def setup(url: str, data_dir: Path) -> tuple[Matching, World, dict[str, Any]]:
    """The schema, the reference data, the pool and the keys that seeding needs."""
    reference_dir = reference_data_dir()
    settings = MatchingSettings(
        data_dir=data_dir,
        database_url=url,
        environment="test",
        reference_data_dir=reference_dir,
    )
    matching = Matching.build(settings)
    migrations.upgrade("matching", matching.database)
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute(PLAIN_SCHEMA)
    reference = reference_message(url, reference_dir)
    apply(matching, reference)
    organisations = (str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))
    world = World(
        organisations,
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        datetime.now(UTC).isoformat(timespec="microseconds"),
    )
    for organisation_id in organisations:
        membership = {
            "pool_id": world.pool_id,
            "organisation_id": organisation_id,
            "status": "active",
            "version": 1,
        }
        apply(matching, _message("pool.membership_changed", membership))
    return matching, world, reference["payload"]


def known_keys(matching: Matching, world: World) -> dict[tuple[str, str], DataKey]:
    """The organisations' keys and the index key, made (and committed) by the real keyring
    as the first event of each would make them."""
    known = {}
    with matching.database.session() as session:
        keyring = matching.keyring
        for organisation_id in world.organisations:
            known[(ORGANISATION, organisation_id)] = keyring._current_key(
                session, ORGANISATION, organisation_id, None
            )
        known[(BLIND_INDEX, index.INDEX_SCOPE)] = keyring._current_key(
            session, BLIND_INDEX, index.INDEX_SCOPE, None
        )
    return known


INDEX_TABLES = ("matching.indexed_partners", "matching.resources", "matching.resource_postings")
LOADED_TABLES = (*INDEX_TABLES, "plain.resources")


def schema_of(conn: psycopg.Connection[Any], tables: Sequence[str]) -> list[str]:
    """Every constraint and index definition of the tables, to compare before and after."""
    found = conn.execute(
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE conrelid = ANY(%(t)s::regclass[])"
        " OR confrelid = ANY(%(t)s::regclass[])"
        " UNION ALL SELECT pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = ANY(%(t)s::regclass[])",
        {"t": list(tables)},
    ).fetchall()
    return sorted(row[0] for row in found)


@contextmanager
def deferred_keys_and_indexes(
    conn: psycopg.Connection[Any], tables: Sequence[str]
) -> Iterator[None]:
    """Drops the tables' foreign keys (both ways), primary and unique keys and indexes for
    the load, and restores exactly the same definitions after it (checked)."""
    before = schema_of(conn, tables)
    regclasses = {"t": list(tables)}
    foreign = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND (conrelid = ANY(%(t)s::regclass[])"
        " OR confrelid = ANY(%(t)s::regclass[]))",
        regclasses,
    ).fetchall()
    keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype IN ('p', 'u') AND conrelid = ANY(%(t)s::regclass[])",
        regclasses,
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
        " WHERE indrelid = ANY(%(t)s::regclass[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        regclasses,
    ).fetchall()
    for table, name, _ in (*foreign, *keys):
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    yield
    conn.execute("SET maintenance_work_mem = '512MB'")
    for table, name, definition in keys:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        conn.execute(definition)
    for table, name, definition in foreign:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    conn.commit()
    if schema_of(conn, tables) != before:
        raise SystemExit("seeding: the restored keys and indexes differ from the migration's")


def plan_partners(world: World, target: int, seed: int) -> int:
    """How many partners it takes for their resources to total ``target``."""
    total = count = 0
    while total < target:
        spec = make_spec(count, world, seed)
        total += len(resources_of(spec.kind, spec.document))
        count += 1
    return count


def seed_partners(
    matching: Matching, world: World, count: int, skip: set[int], args: argparse.Namespace
) -> dict[str, float]:
    """Computes the rows of ``count`` partners (less ``skip``) on ``args.workers`` processes
    and COPYs them in; returns the seconds of each step and in all."""
    bulk = SimpleNamespace(
        keyring=BulkKeyring(matching.keyring, known_keys(matching, world)),
        analyzer=matching.analyzer,  # loaded before the fork, shared by the workers
    )
    numbers = [n for n in range(count) if n not in skip]
    batches = [numbers[i : i + args.batch] for i in range(0, len(numbers), args.batch)]
    dsn = libpq_dsn(matching.database.url)
    seconds = {"copy": 0.0}
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with (
        context.Pool(args.workers, _init_worker, (bulk, world, args.seed)) as pool,
        psycopg.connect(dsn) as conn,
    ):
        with deferred_keys_and_indexes(conn, LOADED_TABLES):
            for done, payload in enumerate(pool.imap(seal_batch, batches), 1):
                copy_started = time.perf_counter()
                for table, columns in COLUMNS.items():
                    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                    with conn.cursor().copy(statement) as copy:
                        copy.write(payload.get(table, b""))
                conn.commit()
                seconds["copy"] += time.perf_counter() - copy_started
                if done % 10 == 0 or done == len(batches):
                    elapsed = time.perf_counter() - started
                    print(
                        f"  {batches[done - 1][-1] + 1:>7} partners  {elapsed:6.1f} s", flush=True
                    )
            seconds["rows and copy"] = time.perf_counter() - started
        seconds["keys and indexes"] = time.perf_counter() - started - seconds["rows and copy"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seconds["total"] = time.perf_counter() - started
    seconds["vacuum analyze"] = (
        seconds["total"] - seconds["rows and copy"] - seconds["keys and indexes"]
    )
    return seconds


def sizes(engine: Engine) -> str:
    found = []
    with engine.connect() as conn:
        for table in LOADED_TABLES:
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            found.append(f"{table} {rows} rows {size / 2**20:.0f} MB")
    return "tables: " + ", ".join(found)


# --- checks --------------------------------------------------------------------------------


def _stored(session: Session, partner_id: str) -> tuple[tuple[Any, ...], set[Any], set[Any]]:
    partner = session.get(IndexedPartner, partner_id)
    assert partner is not None
    coarse = (
        partner.organisation_id,
        partner.kind,
        partner.district_code,
        list(partner.category_codes),
        partner.tie_strength,
        partner.last_contact_on.isoformat() if partner.last_contact_on else None,
        partner.shared_with,
        partner.step_free,
        partner.easy_read,
    )
    resources = {
        (r.id, r.key, r.kind, r.position, r.length, json.dumps(r.slots))
        for r in session.scalars(select(Resource).where(Resource.partner_id == partner_id))
    }
    terms = {
        (resource_id, term, weight)
        for resource_id, term, weight in session.execute(
            select(Resource.id, Posting.term, Posting.weight)
            .join(Resource, Resource.key == Posting.resource_key)
            .where(Resource.partner_id == partner_id)
        )
    }
    return coarse, resources, terms


PARTNER_FIELDS = (
    *("organisation_id", "kind", "district_code", "category_codes", "tie_strength"),
    *("last_contact_on", "shared_with", "step_free", "easy_read"),
)


def _computed(rows: dict[str, list[Row]]) -> tuple[tuple[Any, ...], set[Any], set[Any]]:
    p = rows["matching.indexed_partners"][0]
    coarse = tuple(p[c] for c in PARTNER_FIELDS)
    resources = {
        (r["id"], r["key"], r["kind"], r["position"], r["length"], json.dumps(r["slots"]))
        for r in rows["matching.resources"]
    }
    ids = {r["key"]: r["id"] for r in rows["matching.resources"]}
    terms = {
        (ids[t["resource_key"]], t["term"], t["weight"]) for t in rows["matching.resource_postings"]
    }
    return coarse, resources, terms


def verify(
    matching: Matching, world: World, sample: list[int], count: int, seed: int
) -> tuple[str, list[float]]:
    """The sample goes through the real path (``tasks.apply``), and what it stored must be
    what the bulk path computes; bulk-loaded documents open through matching's keyring.
    Returns a summary and the seconds of each real ``apply``."""
    applied = []
    for number in sample:
        message = upserted_message(matching, make_spec(number, world, seed), world.changed_at)
        started = time.perf_counter()
        if not apply(matching, message):
            raise SystemExit(f"verify: partner {number} was not applied")
        applied.append(time.perf_counter() - started)
    bulk = SimpleNamespace(
        keyring=BulkKeyring(matching.keyring, known_keys(matching, world)),
        analyzer=matching.analyzer,
    )
    terms = resources = 0
    with matching.database.session() as session:
        for number in sample:
            spec = make_spec(number, world, seed)
            stored = _stored(session, spec.id)
            expected = _computed(index_rows(bulk, spec, world))
            for what, got, want in zip(
                ("partner", "resources", "terms"), stored, expected, strict=True
            ):
                if got != want:
                    raise SystemExit(f"verify: partner {number}: stored {what} differ from bulk")
            resources += len(stored[1])
            terms += len(stored[2])
        others = [n for n in (0, 1, count // 2, count - 1) if n not in sample]
        for number in others:
            spec = make_spec(number, world, seed)
            partner = session.get(IndexedPartner, spec.id)
            if partner is None or index.partner_document(session, matching, partner) != (
                spec.document
            ):
                raise SystemExit(f"verify: bulk-loaded partner {number} does not open as sealed")
    summary = (
        f"{len(sample)} partners applied through tasks.apply stored exactly the rows the bulk"
        f" path computes ({resources} resources, {terms} hashed terms with weights);"
        f" {len(others)} bulk-loaded documents open through matching's keyring"
    )
    return summary, applied


# --- support users and wishes --------------------------------------------------------------


@dataclass(frozen=True)
class BenchWish:
    id: str
    label: str  # fi-01 ...
    language: str
    text: str
    category_codes: tuple[str, ...]
    plain_query: str  # the baseline's OR-ed words


def plain_query(text_: str, stop_words: Any) -> str:
    """The baseline's tsquery: the distinct lower-case words of the wish, stop words (the
    analyzer's lists) left out, OR-ed. Like Kortisto's query, the wish's categories are not
    words of it (Kortisto ranks them as a signal of their own)."""
    found = {
        word
        for word in re.findall(r"[^\W_]+", text_.lower())
        if len(word) > 1 and not word.isdigit() and fold(word) not in stop_words
    }
    return " | ".join(sorted(found))


def _wish_categories(text_: str) -> list[str]:
    lowered = text_.lower()
    for stems, code in WISH_CATEGORIES:
        if any(s in lowered for s in stems):
            return [code]
    return []


def load_wishes() -> list[dict[str, Any]]:
    return list(json.loads(WISHES_FILE.read_text(encoding="utf-8"))["wishes"])


def make_wishes(
    matching: Matching, world: World, reference: dict[str, Any], people: int, seed: int
) -> list[BenchWish]:
    """Support users of the first organisation, through matching's services, each with the
    `matching` consent and a share of the wishes; a third of the wishes with a category."""
    rng = random.Random(f"{seed}:people")
    districts = [code for code, _, _ in DISTRICTS if code in reference["districts"]]
    principal = world.staff()
    made = []
    with matching.database.session() as session:
        ids = []
        for number in range(people):
            slots = [
                {"weekday": d, "start": "10:00", "end": "18:00"}
                for d in sorted(rng.sample(range(1, 8), rng.randint(0, 3)))
            ]
            person = support_users.create(
                session,
                matching,
                principal,
                SupportUserIn(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    district_code=rng.choice(districts),
                    languages=["fi", "en"] if number % 3 == 0 else ["fi"],
                    availability=slots,
                    accessibility=["step_free"] if number % 4 == 0 else [],
                ),
            )
            support_users.record_consent(
                session,
                principal,
                person.id,
                ConsentIn(purpose="matching", action="granted", method="written"),
            )
            ids.append(person.id)
        for number, item in enumerate(load_wishes()):
            codes = _wish_categories(item["text"]) if number % 3 == 0 else []
            out = wishes.add_wish(
                session,
                matching,
                principal,
                ids[number % people],
                WishIn(text=item["text"], language=item["language"], category_codes=codes),
            )
            query = plain_query(item["text"], matching.analyzer.stop_words)
            made.append(
                BenchWish(out.id, item["id"], item["language"], item["text"], tuple(codes), query)
            )
    return made


# --- the two sides -------------------------------------------------------------------------


def run_kortisto(matching: Matching, world: World, wish: BenchWish) -> list[str]:
    """One suggestion request as the API runs it: its own transaction, committed."""
    with matching.database.session() as session:
        found = suggest(session, matching, world.staff(), wish.id)
    return [item.resource_id for item in found.items]


PLAIN_TOP_10 = (
    "SELECT r.id, r.partner_id, r.title, ts_rank(r.tsv, q.query) AS rank"
    " FROM plain.resources r, ({query}) q"
    " WHERE r.tsv @@ q.query"
    " AND (r.organisation_id = :me"
    " OR (r.pool_shared AND r.organisation_id = ANY(:peers))"
    " OR CAST(:me AS varchar) = ANY(r.shared_with_organisations))"
    " ORDER BY rank DESC, r.id LIMIT 10"
)
BASELINE_SQL = {
    "baseline": text(PLAIN_TOP_10.format(query="SELECT to_tsquery('simple', :q) AS query")),
    "all words": text(
        PLAIN_TOP_10.format(
            query="SELECT replace(plainto_tsquery('simple', :wish)::text, ' & ', ' | ')"
            "::tsquery AS query"
        )
    ),
}


def run_baseline(engine: Engine, world: World, wish: BenchWish, form: str) -> list[str]:
    """The top 10 by ts_rank among the resources the organisation may see, of the words
    OR-ed, in one transaction."""
    params = {"me": world.own, "peers": list(world.organisations[1:])}
    params |= {"q": wish.plain_query} if form == "baseline" else {"wish": wish.text}
    with engine.begin() as conn:
        return [row.id for row in conn.execute(BASELINE_SQL[form], params)]


def runners(matching: Matching, world: World) -> dict[str, Callable[[BenchWish], list[str]]]:
    engine = matching.database.engine
    return {
        "kortisto": lambda w: run_kortisto(matching, world, w),
        "baseline": lambda w: run_baseline(engine, world, w, "baseline"),
        "all words": lambda w: run_baseline(engine, world, w, "all words"),
    }


def compare_sides(matching: Matching, world: World, bench_wishes: list[BenchWish]) -> list[str]:
    """How many wishes each side answers with anything, and with a full ten."""
    run = runners(matching, world)
    counts = {side: [len(run[side](wish)) for wish in bench_wishes] for side in SIDES}
    return [
        f"  {side}: {sum(1 for c in found if c)} of {len(found)} wishes get an answer,"
        f" {sum(1 for c in found if c == 10)} a full ten"
        for side, found in counts.items()
    ]


# --- measuring -----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Round:
    times: dict[str, dict[BenchWish, float]] = field(
        default_factory=lambda: {side: {} for side in SIDES}
    )

    def stat(self, side: str, q: float, language: str | None = None) -> float:
        values = [t for w, t in self.times[side].items() if language in (None, w.language)]
        return percentile(values, q)


def measure_round(
    matching: Matching, world: World, bench_wishes: list[BenchWish], rng: random.Random
) -> Round:
    """Every wish on every side, in a shuffled order, the side that goes first rotating."""
    result = Round()
    order = list(bench_wishes)
    rng.shuffle(order)
    run = runners(matching, world)
    for position, wish in enumerate(order):
        turn = position % len(SIDES)
        for side in SIDES[turn:] + SIDES[:turn]:
            started = time.perf_counter()
            run[side](wish)
            result.times[side][wish] = time.perf_counter() - started
    return result


def measure(
    matching: Matching, world: World, bench_wishes: list[BenchWish], args: argparse.Namespace
) -> list[Round]:
    for _ in range(args.warmup):
        measure_round(matching, world, bench_wishes, random.Random(-1))
    rng = random.Random(args.seed)
    rounds = []
    for number in range(1, args.rounds + 1):
        rounds.append(measure_round(matching, world, bench_wishes, rng))
        p95 = ", ".join(f"{side} {1000 * rounds[-1].stat(side, 0.95):.1f}" for side in SIDES)
        print(f"  round {number}: p95 (ms) {p95}", flush=True)
    return rounds


def summary_table(rounds: list[Round]) -> tuple[list[str], dict[str, float]]:
    """p50/p95 per language and overall, medians over rounds (ms); and the overall p95s."""
    lines = [f"{'ms':<10}" + "".join(f" {side + ' p50':>16} {'p95':>7}" for side in SIDES)]
    overall = {}
    for language in ("fi", "en", None):
        cells = []
        for side in SIDES:
            p50, p95 = (
                1000 * statistics.median(r.stat(side, q, language) for r in rounds)
                for q in (0.5, 0.95)
            )
            cells.append(f" {p50:16.1f} {p95:7.1f}")
            if language is None:
                overall[side] = p95
        lines.append(f"{language or 'overall':<10}" + "".join(cells))
    for side in SIDES[1:]:
        per_round = [r.stat("kortisto", 0.95) / r.stat(side, 0.95) for r in rounds]
        lines.append(
            f"p95 ratio kortisto / {side}: {overall['kortisto'] / overall[side]:.2f}"
            " (per round " + " ".join(f"{r:.2f}" for r in per_round) + ")"
        )
    return lines, overall


def slowest(rounds: list[Round], postings: dict[BenchWish, int], count: int = 8) -> list[str]:
    medians = {
        wish: [1000 * statistics.median(r.times[side][wish] for r in rounds) for side in SIDES]
        for wish in rounds[0].times["kortisto"]
    }
    lines = [
        "slowest wishes for Kortisto (median ms "
        + " / ".join(SIDES)
        + "; term postings its scoring statement reads):"
    ]
    for wish, times in sorted(medians.items(), key=lambda i: -i[1][0])[:count]:
        codes = f" [{','.join(wish.category_codes)}]" if wish.category_codes else ""
        figures = " / ".join(f"{t:6.1f}" for t in times)
        lines.append(f"  {figures}  {postings.get(wish, 0):>7}  {wish.text!r}{codes}")
    return lines


# --- where the time goes -------------------------------------------------------------------


class Breakdown:
    """Sums time by component while instrumented suggestions run: SQL statements by what
    they do, decryption, HMAC of the query terms, analysing the wish, commit, the rest."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.statements = 0
        self.inside: str | None = None
        self.scoring: dict[BenchWish, tuple[str, Any]] = {}
        self.current: BenchWish | None = None

    def add(self, component: str, seconds: float) -> None:
        self.seconds[component] += seconds

    def classify(self, statement: str) -> str:
        if "data_keys" in statement:
            return f"sql: data-key look-ups ({self.inside or 'other'})"
        if "sum(" in statement and "resource_postings" in statement:
            return "sql: candidates by text (BM25, visibility, top 200 with their rows)"
        if "?|" in statement or "referrals" in statement:
            return "sql: candidates by category (partners, then their resources)"
        if "count(*)" in statement and "resource_postings" in statement:
            return "sql: candidates, document frequencies"
        if "count(*)" in statement and "FROM matching.resources" in statement:
            return "sql: candidates, count of all resources"
        if "pool_memberships" in statement:
            return "sql: candidates, pool members"
        if "document_encrypted" in statement:
            return "sql: the shown partners' sealed cards"
        return "sql: wish, person, consent, reference, outbox"

    @contextmanager
    def instrument(self, matching: Matching) -> Iterator[None]:
        engine, keyring, analyzer = matching.database.engine, matching.keyring, matching.analyzer
        started: list[float] = []

        def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            started.append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            self.statements += 1
            component = self.classify(statement)
            self.add(component, time.perf_counter() - started.pop())
            if component.startswith("sql: candidates by text") and self.current is not None:
                self.scoring[self.current] = (statement, parameters)

        def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                self.inside, begun = name, time.perf_counter()
                try:
                    return method(*args, **kwargs)
                finally:
                    self.add(name, time.perf_counter() - begun)
                    self.inside = None

            return wrapper

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        keyring.decrypt = timed("decrypt (wish, profile, 10 documents)", keyring.decrypt)  # type: ignore[method-assign]
        keyring.open_documents = timed(  # type: ignore[method-assign]
            "decrypt (wish, profile, 10 documents)", keyring.open_documents
        )
        keyring.term_indexes = timed("hmac of the query terms", keyring.term_indexes)  # type: ignore[method-assign]
        analyzer.query_terms = timed("analysing the wish", analyzer.query_terms)  # type: ignore[method-assign]
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            del keyring.decrypt, keyring.open_documents, keyring.term_indexes
            del analyzer.query_terms

    def report(self, total: float, runs: int) -> list[str]:
        parts = dict(self.seconds)
        for name in list(parts):
            if not name.startswith("sql"):
                parts[name] -= sum(
                    v for k, v in self.seconds.items() if k == f"sql: data-key look-ups ({name})"
                )
        parts["python (ORM, ranking, pydantic, rest)"] = total - sum(parts.values())
        lines = [f"  {'component':<52} {'ms/wish':>8} {'share':>6}"]
        for name, seconds in sorted(parts.items(), key=lambda item: -item[1]):
            lines.append(f"  {name:<52} {1000 * seconds / runs:8.2f} {100 * seconds / total:5.1f}%")
        lines.append(
            f"  {'total':<52} {1000 * total / runs:8.2f}"
            f"  ({self.statements / runs:.1f} SQL statements per suggestion)"
        )
        return lines


def breakdown(matching: Matching, world: World, bench_wishes: list[BenchWish]) -> Breakdown:
    timer = Breakdown()
    total = 0.0
    with timer.instrument(matching):
        for wish in bench_wishes:
            timer.current = wish
            started = time.perf_counter()
            with matching.database.sessions() as session:
                suggest(session, matching, world.staff(), wish.id)
                committed = time.perf_counter()
                session.commit()
                timer.add("commit", time.perf_counter() - committed)
            total += time.perf_counter() - started
    timer.current = None
    timer.seconds["__total__"] = total
    return timer


def postings_of(matching: Matching, timer: Breakdown) -> dict[BenchWish, int]:
    """How many term postings each wish's scoring statement reads (its terms' frequencies)."""
    found = {}
    with matching.database.engine.connect() as conn:
        for wish, (_, parameters) in timer.scoring.items():
            terms = parameters["held"]
            found[wish] = conn.execute(
                text("SELECT count(*) FROM matching.resource_postings WHERE term = ANY(:terms)"),
                {"terms": terms},
            ).scalar_one()
    return found


def explain(matching: Matching, timer: Breakdown, wish: BenchWish) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a wish's candidate scoring statement, as it ran."""
    statement, parameters = timer.scoring[wish]
    with matching.database.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        return [f"  {row[0]}" for row in plan]


# --- update visibility ---------------------------------------------------------------------


def free_redis_database(base_url: str) -> str:
    """An empty Redis database (1-15), so that nothing else's messages meet ours."""
    for number in random.sample(range(1, 16), 15):
        url = f"{base_url}/{number}"
        with redis.Redis.from_url(url) as client:
            if client.dbsize() == 0:
                return url
    raise SystemExit("no empty Redis database among 1-15")


@contextmanager
def celery_worker(
    matching: Matching, data_dir: Path, broker: str, queue: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``celery -A services.reminders.worker worker`` on our queue, configured like the
    stack tests' worker; stopped with its children at the end."""
    env = {
        **os.environ,
        "KORTISTO_ENVIRONMENT": "test",
        "KORTISTO_DATA_DIR": str(data_dir),
        "KORTISTO_MATCHING_DATABASE_URL": matching.database.url,
        "KORTISTO_REFERENCE_DATA_DIR": str(matching.settings.resolved_reference_data_dir()),
        "KORTISTO_BROKER_URL": broker,
        "KORTISTO_RESULT_BACKEND": broker,
    }
    command = ["-m", "celery", "-A", "services.reminders.worker", "worker"]
    command += ["-Q", queue, "--concurrency", "2", "--loglevel", "INFO", "-n", f"{queue}@%h"]
    with process_group(command, env, log) as child:
        yield child


@dataclass
class Update:
    spec: Spec
    word: str
    message: dict[str, Any]
    resource_id: str
    query: dict[str, float]


def make_update(matching: Matching, world: World, spec: Spec, word: str) -> Update:
    """The partner changed: a new offer with ``word``, which no other resource has."""
    document = json.loads(json.dumps(spec.document))
    offers = document["offers"]
    offers.append(
        {
            "title": word.capitalize(),
            "description": f"{word} kaikille",
            "schedule": "tiistaisin 17-19",
        }
    )
    changed_at = datetime.now(UTC).isoformat(timespec="microseconds")
    # Some of the words are English: the language is guessed, as for a resource's text.
    query = matching.analyzer.query_terms(word, None)
    return Update(
        spec,
        word,
        upserted_message(matching, spec, changed_at, document),
        f"{spec.id}:offer:{len(offers) - 1}",
        query,
    )


def visible(matching: Matching, world: World, update: Update) -> bool:
    need = Need(world.own, None, frozenset(), frozenset(), (), frozenset())
    with matching.database.session() as session:
        ranked = rank(session, matching, need, update.query, 10)
    return any(r.candidate.resource_id == update.resource_id for r in ranked)


def stored(engine: Engine, update: Update) -> bool:
    """Whether the update's transaction has committed: its new offer's row exists."""
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM matching.resources WHERE id = :id"), {"id": update.resource_id}
        )
        return found.first() is not None


def wait_visible(
    matching: Matching, world: World, update: Update, timeout: float
) -> tuple[float, int]:
    """Seconds from now until ranking finds the update's offer, and the polls it took. A
    ranking takes tens of ms at 100,000 resources, so the poll is a primary-key look-up of
    the new offer (about 1 ms); the time is taken when that finds it, and then ``rank``
    must find the offer too (else polling goes on)."""
    started = time.perf_counter()
    polls = 0
    engine = matching.database.engine
    while True:
        polls += 1
        if stored(engine, update):
            seen = time.perf_counter() - started
            if visible(matching, world, update):
                return seen, polls
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"update of {update.spec.id} not visible after {timeout} s")


def update_candidates(world: World, count: int, seed: int, skip: set[int]) -> list[Spec]:
    """Organisation partners of the second organisation that are pooled (so the first
    organisation's ranking sees them), in a fixed random order."""
    rng = random.Random(f"{seed}:updates")
    found = []
    for number in rng.sample(range(count), min(count, 4000)):
        if number in skip:
            continue
        spec = make_spec(number, world, seed)
        if (
            spec.kind == "organisation"
            and spec.organisation_id == world.organisations[1]
            and f"pool:{world.pool_id}" in spec.purposes
        ):
            found.append(spec)
    return found


def measure_updates(
    matching: Matching,
    world: World,
    data_dir: Path,
    specs: list[Spec],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Through a real worker: warm-up updates, then ``args.updates`` measured ones, each
    from sending the event until ranking finds the new offer."""
    broker = free_redis_database(args.redis_url)
    queue = f"matching-bench-{secrets.token_hex(4)}"
    client = Celery("bench", broker=broker, backend=broker)
    client.conf.update(task_serializer="json", accept_content=["json"])
    words_ = [*NEW_ACTIVITIES]
    while len(words_) < args.updates + 4:
        words_.append(f"{NEW_ACTIVITIES[len(words_) % len(NEW_ACTIVITIES)]}{len(words_)}x")
    sent: list[str] = []
    result: dict[str, Any] = {"broker": broker}

    def send(update: Update) -> None:
        task = client.send_task("matching.events.apply", args=[update.message], queue=queue)
        sent.append(task.id)

    log = data_dir / "worker.log"
    try:
        with celery_worker(matching, data_dir, broker, queue, log):
            started = time.perf_counter()
            warm = [make_update(matching, world, specs[i], words_[i]) for i in range(4)]
            for update in warm:
                send(update)
            for update in warm:
                wait_visible(matching, world, update, 180)
            result["cold"] = time.perf_counter() - started
            times, polls, poll_seconds = [], [], []
            for number in range(args.updates):
                update = make_update(matching, world, specs[4 + number], words_[4 + number])
                if visible(matching, world, update):
                    raise SystemExit("update: the new offer was found before its event")
                time.sleep(0.2)
                started = time.perf_counter()
                send(update)
                seconds, count = wait_visible(matching, world, update, 30)
                times.append(seconds)
                polls.append(count)
                poll_started = time.perf_counter()
                visible(matching, world, update)
                poll_seconds.append(time.perf_counter() - poll_started)
            result.update(times=times, polls=polls, poll_seconds=poll_seconds)
        # The same kind of update applied in this process, for where the time goes.
        applied = []
        for number in range(args.updates):
            spec = specs[4 + args.updates + number]
            update = make_update(matching, world, spec, words_[number % len(words_)])
            started = time.perf_counter()
            apply(matching, update.message)
            applied.append(time.perf_counter() - started)
        result["applied"] = applied
    finally:
        for task_id in sent:
            client.AsyncResult(task_id).forget()
        client.close()
        clean_redis(broker, queue)
    return result


def clean_redis(broker: str, queue: str) -> None:
    """Removes what the run left in its Redis database: the queue's keys, and the worker's
    broadcast bindings too when nothing else has come to use the database meanwhile."""
    ours = {queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"}
    worker = {"_kombu.binding_deadlines", "_kombu.binding.celery.pidbox"}
    worker |= {"_kombu.binding.reply.celery.pidbox", "_kombu.binding.celeryev"}
    with redis.Redis.from_url(broker, decode_responses=True) as conn:
        left = set(conn.scan_iter())
        conn.delete(*ours)
        if left <= ours | worker and left:
            conn.delete(*left)


def update_lines(result: dict[str, Any]) -> tuple[list[str], float]:
    ms = [1000 * t for t in result["times"]]
    p95 = percentile(ms, 0.95)
    applied = [1000 * t for t in result["applied"]]
    lines = [
        f"update visibility over {len(ms)} updates through the worker (ms from sending"
        f" matching.events.apply to the first ranking that finds the new offer):",
        f"  p50 {percentile(ms, 0.5):.0f}  p95 {p95:.0f}  max {max(ms):.0f}  min {min(ms):.0f}",
        f"  polls per update: median {statistics.median(result['polls']):.0f}; a ranking of the"
        f" new word {1000 * statistics.median(result['poll_seconds']):.1f} ms",
        f"  the same update applied in this process (tasks.apply): p50"
        f" {percentile(applied, 0.5):.0f} ms, max {max(applied):.0f} ms",
        f"  cold start: worker started to 4 warm-up updates visible {result['cold']:.1f} s",
    ]
    return lines, p95


# --- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with key_directory(args.keep) as data_dir, bench_database(args.admin_dsn, args.keep) as url:
        matching, world, reference = setup(url, data_dir)
        try:
            count = plan_partners(world, args.resources, args.seed)
            rng = random.Random(f"{args.seed}:sample")
            sample = sorted(rng.sample(range(2, count - 1), min(args.verify, count - 3)))
            print(
                f"seeding {count} partners (~{args.resources} resources) on {args.workers}"
                f" workers ...",
                flush=True,
            )
            seconds = seed_partners(matching, world, count, set(sample), args)
            print(
                f"seeding: {seconds['total']:.1f} s (rows and COPY {seconds['rows and copy']:.1f}"
                f" s, of which the parent waited on COPY {seconds['copy']:.1f} s; keys and"
                f" indexes {seconds['keys and indexes']:.1f} s; VACUUM ANALYZE"
                f" {seconds['vacuum analyze']:.1f} s)"
            )
            summary, applied = verify(matching, world, sample, count, args.seed)
            print("verify: " + summary)
            print(
                f"tasks.apply of a new partner: median {1000 * statistics.median(applied):.0f} ms"
                f" (seeding {count} this way: about {count * statistics.median(applied) / 60:.0f}"
                " min on one process)"
            )
            with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            print(sizes(matching.database.engine))
            bench_wishes = make_wishes(matching, world, reference, args.people, args.seed)
            print(
                f"{len(bench_wishes)} wishes of {args.people} support users;"
                f" {sum(1 for w in bench_wishes if w.category_codes)} with a category"
            )
            print("answers:\n" + "\n".join(compare_sides(matching, world, bench_wishes)))
            rounds = measure(matching, world, bench_wishes, args)
            lines, overall = summary_table(rounds)
            kortisto_p95, baseline_p95 = overall["kortisto"], overall["baseline"]
            print(f"\n{len(bench_wishes)} wishes x {len(rounds)} rounds, medians over rounds:")
            print("\n".join(lines))
            timer = breakdown(matching, world, bench_wishes)
            total = timer.seconds.pop("__total__")
            postings = postings_of(matching, timer)
            print()
            print("\n".join(slowest(rounds, postings)))
            print(
                f"\nwhere a suggestion's time goes (one instrumented pass over"
                f" {len(bench_wishes)} wishes):"
            )
            print("\n".join(timer.report(total, len(bench_wishes))))
            worst = max(
                timer.scoring,
                key=lambda w: statistics.median(r.times["kortisto"][w] for r in rounds),
            )
            print(f"\nplan of the candidate scoring statement for the slowest wish {worst.text!r}:")
            print("\n".join(explain(matching, timer, worst)))
            skip = set(sample)
            specs = update_candidates(world, count, args.seed, skip)
            if len(specs) < 4 + 2 * args.updates:
                raise SystemExit("too few partners to change; use fewer --updates")
            print(f"\nupdates through a Celery worker ({args.updates} measured) ...", flush=True)
            result = measure_updates(matching, world, data_dir, specs, args)
            update_text, update_p95 = update_lines(result)
            print("\n".join(update_text))
        finally:
            matching.database.dispose()
    ratio = kortisto_p95 / baseline_p95
    print(
        f"\ntarget p95 < {TARGET_MS:.0f} ms: {'met' if kortisto_p95 < TARGET_MS else 'NOT met'}"
        f" ({kortisto_p95:.1f} ms; baseline {baseline_p95:.1f} ms);"
        f" update visible < {UPDATE_TARGET_MS:.0f} ms:"
        f" {'met' if max(result['times']) * 1000 < UPDATE_TARGET_MS else 'NOT met'}"
        f" (p95 {update_p95:.0f} ms, max {1000 * max(result['times']):.0f} ms)"
    )
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {ratio:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--resources",
        type=int,
        default=100_000,
        help="indexed resources to seed (default 100000; 10000 for a quick check)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds over all wishes")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument("--updates", type=int, default=20, help="measured updates")
    parser.add_argument("--people", type=int, default=12, help="support users with the wishes")
    parser.add_argument("--verify", type=int, default=24, help="partners seeded via tasks.apply")
    parser.add_argument("--workers", type=int, default=2, help="processes computing the rows")
    parser.add_argument("--batch", type=int, default=500, help="partners per COPY batch")
    parser.add_argument("--seed", type=int, default=20260101, help="seed of the generated data")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis, without a database")
    parser.add_argument("--keep", action="store_true", help="keep the database and the key file")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
