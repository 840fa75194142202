"""Claim: search p50/p95 with 100,000 partners in one pool, against a baseline of the same
queries on an unencrypted table. Target: p95 under 200 ms, and encryption costing at most
1.5x the baseline.

One run, on its own throw-away PostgreSQL database (``kortisto_bench_<random>``, dropped at
the end):

1. migrates the registry schema and creates two organisations in one active pool, an admin
   in each and a staff member in the first, who is the caller of every search (so the real
   visibility rules apply);
2. seeds ``--partners`` partners, half owned by each organisation, as ``create_partner``
   stores them (card sealed with the partner's own data key, blind-index terms, categories,
   consent records and grants), but in bulk: cards are generated from word lists with a
   fixed seed, sealed through the registry's keyring on ``--workers`` processes and loaded
   with COPY (the indexes of both sides' partner tables are built once after the load);
3. loads the same partners into ``plain.partners``, a plain table with the obvious indexes
   (full-text GIN on name and free text, district, categories, owner);
4. checks with the real ``search`` that known names and words are found, and that both
   sides agree on the total and the first page of every benchmark query;
5. runs ~50 queries (name prefix, free-text words, district, category, combined; 25 rows per
   page with the total) over both sides, interleaved, for ``--rounds`` rounds after a
   warm-up, and prints p50/p95 per query type and overall (medians over rounds), where the
   time of a Kortisto search goes, and last ``ratio: X`` = Kortisto p95 / baseline p95.

    uv run python bench/search.py                    # 100,000 partners: 4-6 minutes
    uv run python bench/search.py --partners 10000   # quick check: 30-60 seconds

Results and what they mean: docs/performance.md, "Search".
"""

import argparse
import multiprocessing
import random
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from bench.throwaway import ADMIN_DSN, bench_database, key_directory, libpq_dsn
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.partners import terms
from services.registry.partners.cards import searchable_text
from services.registry.partners.documents import seal
from services.registry.partners.models import Partner, PartnerStatus
from services.registry.partners.search import PartnerQuery, search
from services.registry.partners.service import parse_card, pending_card
from services.registry.pools import service as pools
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Principal
from shared.crypto import DataKey, Keyring
from shared.crypto.keyring import (
    BLIND_INDEX,
    ORGANISATION,
    SUBJECT,
    Executor,
    first_subject_key,
)
from shared.database import Database

TYPES = ("name", "text", "district", "category", "combined")
SIDES = ("kortisto", "baseline")

# --- word lists ----------------------------------------------------------------------------


def _split(words: str, separator: str | None = None) -> list[str]:
    return words.split(separator)


# Helsinki postal areas: code, name, and the genitive used in organisation names.
DISTRICTS = [
    ("00100", "Keskusta", "Keskustan"),
    ("00120", "Punavuori", "Punavuoren"),
    ("00130", "Kaartinkaupunki", "Kaartinkaupungin"),
    ("00150", "Eira", "Eiran"),
    ("00160", "Katajanokka", "Katajanokan"),
    ("00170", "Kruununhaka", "Kruununhaan"),
    ("00180", "Kamppi", "Kampin"),
    ("00200", "Lauttasaari", "Lauttasaaren"),
    ("00210", "Vattuniemi", "Vattuniemen"),
    ("00220", "Jätkäsaari", "Jätkäsaaren"),
    ("00240", "Länsi-Pasila", "Länsi-Pasilan"),
    ("00250", "Taka-Töölö", "Taka-Töölön"),
    ("00260", "Keski-Töölö", "Keski-Töölön"),
    ("00280", "Ruskeasuo", "Ruskeasuon"),
    ("00320", "Etelä-Haaga", "Etelä-Haagan"),
    ("00330", "Munkkiniemi", "Munkkiniemen"),
    ("00350", "Munkkivuori", "Munkkivuoren"),
    ("00380", "Pitäjänmäki", "Pitäjänmäen"),
    ("00390", "Konala", "Konalan"),
    ("00400", "Pohjois-Haaga", "Pohjois-Haagan"),
    ("00410", "Malminkartano", "Malminkartanon"),
    ("00420", "Kannelmäki", "Kannelmäen"),
    ("00440", "Lassila", "Lassilan"),
    ("00500", "Sörnäinen", "Sörnäisten"),
    ("00510", "Alppila", "Alppilan"),
    ("00520", "Itä-Pasila", "Itä-Pasilan"),
    ("00530", "Kallio", "Kallion"),
    ("00540", "Kalasatama", "Kalasataman"),
    ("00550", "Vallila", "Vallilan"),
    ("00560", "Toukola", "Toukolan"),
    ("00570", "Kulosaari", "Kulosaaren"),
    ("00600", "Koskela", "Koskelan"),
    ("00610", "Käpylä", "Käpylän"),
    ("00630", "Maunula", "Maunulan"),
    ("00640", "Oulunkylä", "Oulunkylän"),
    ("00660", "Länsi-Pakila", "Länsi-Pakilan"),
    ("00670", "Paloheinä", "Paloheinän"),
    ("00700", "Malmi", "Malmin"),
    ("00710", "Pihlajamäki", "Pihlajamäen"),
    ("00720", "Pukinmäki", "Pukinmäen"),
    ("00730", "Tapanila", "Tapanilan"),
    ("00750", "Puistola", "Puistolan"),
    ("00760", "Suurmetsä", "Suurmetsän"),
    ("00770", "Jakomäki", "Jakomäen"),
    ("00790", "Viikki", "Viikin"),
    ("00800", "Herttoniemi", "Herttoniemen"),
    ("00820", "Roihuvuori", "Roihuvuoren"),
    ("00840", "Laajasalo", "Laajasalon"),
    ("00900", "Puotinharju", "Puotinharjun"),
    ("00910", "Puotila", "Puotilan"),
    ("00920", "Myllypuro", "Myllypuron"),
    ("00930", "Itäkeskus", "Itäkeskuksen"),
    ("00940", "Kontula", "Kontulan"),
    ("00950", "Vartioharju", "Vartioharjun"),
    ("00960", "Pohjois-Vuosaari", "Pohjois-Vuosaaren"),
    ("00970", "Mellunmäki", "Mellunmäen"),
    ("00980", "Etelä-Vuosaari", "Etelä-Vuosaaren"),
]
CATEGORIES = [
    "housing",
    "food",
    "culture",
    "sports",
    "digital",
    "employment",
    "health",
    "children",
    "elderly",
    "immigrants",
    "crafts",
    "environment",
    "education",
    "peer-support",
    "volunteering",
    "mental-health",
]
FIRST_NAMES = _split(
    "Aino Eero Eino Elina Emma Helmi Ilmari Johanna Juha Jukka Kaisa Kalle Katja Lauri Leena "
    "Liisa Matti Mikko Minna Noora Oskari Outi Paavo Pekka Pirjo Päivi Riikka Sanna Satu Seppo "
    "Sirpa Taina Tapio Teemu Tuula Tuomas Ulla Veera Ville Väinö Aleksi Anneli Hannu Heikki "
    "Jyrki Kirsi Marjatta Raili Sakari Timo Amir Fatima Leila Mohammed Olga Dmitri Anna John "
    "Mary James Sarah David Laura Michael Emily Daniel Grace"
)
LAST_NAMES = _split(
    "Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen "
    "Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen "
    "Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen "
    "Lindqvist Nyström Holmberg Öhman Åberg Pöyhönen Kärkkäinen Räsänen Väisänen Ylönen "
    "Ahmed Hassan Ivanova Petrov Smith Jones Brown Taylor Wilson Evans Walker Wright Green"
)
ORG_NOUNS_FI = _split(
    "Asukasyhdistys Kädentaitajat Nuorisotalo Seurakunta Kirjasto Asukastupa Eläkeläiset "
    "Martat Partiolaiset Urheiluseura Kuoro Teatteri Kyläyhdistys Omakotiyhdistys Setlementti "
    "Perhekeskus Työpaja Ruokapankki Vapaaehtoiskeskus Kotiseutuyhdistys Taideyhdistys "
    "Liikuntaseura Mielenterveysseura Kierrätyskeskus Kansalaisopisto"
)
ORG_NOUNS_EN = _split(
    "Community Centre|Food Bank|Youth Club|Library|Sports Club|Choir|Repair Café|"
    "Family Centre|Art Collective|Language Café|Volunteer Hub|Garden Society|Senior Club"
    "|",
)
ORG_SUFFIXES = ["ry", "ry", "", "", "Oy", "säätiö"]
OFFER_TITLES = _split(
    "Kokkikerho|Lukupiiri|Digituki|Ruoka-apu|Kahvila|Neulekerho|Kuntosali|Läksykerho|"
    "Suomen kielen kurssi|Vertaistukiryhmä|Asukastupa|Lainaamo|Kierrätyspiste|Puutyöpaja|"
    "Ompelupaja|Liikuntaryhmä|Lenkkiryhmä|Tanssikerho|Musiikkikerho|Kuoro|Taidepaja|"
    "Valokuvauskerho|Retket|Saunavuoro|Kerhohuone|Polkupyöräpaja|Perhekahvila|Senioritanssit|"
    "Shakkikerho|Cooking club|Reading circle|Digital help|Food bank|Community café|"
    "Knitting circle|Homework club|Finnish lessons|Peer support group|Tool library|"
    "Repair café|Woodwork shop|Sewing workshop|Walking group|Dance class|Choir|Art workshop|"
    "Photography club|Gardening club|Job search help|Language café|Game night|Chess club|"
    "Youth club|Family café|Senior exercise|Bicycle repair|Meditation|Yoga|Board games"
    "|",
)
DESCRIPTION_WORDS = _split(
    "yhdessä kaikille avoin maksuton ilmainen ohjattu viikoittain kerran kuukaudessa "
    "aloittelijoille kokeneille nuorille senioreille perheille lapsille maahanmuuttajille "
    "asukkaille vapaaehtoiset ohjaaja tila keittiö sauna piha puutarha kirjasto kahvi ruoka "
    "leipominen neulominen ompelu musiikki laulu tanssi liikunta kävely retki metsä luonto "
    "taide maalaus valokuvaus tietokone puhelin tabletti verkkopankki asiointi työnhaku kieli "
    "suomi keskustelu vertaistuki mielenterveys yksinäisyys ystävä ilta aamu arkisin "
    "viikonloppuisin esteetön välipala tarvikkeet together everyone free open guided weekly "
    "monthly beginners experienced young seniors families children newcomers residents "
    "volunteers instructor kitchen garden library coffee food baking knitting sewing music "
    "singing dance exercise walking outdoors nature painting photography computer smartphone "
    "online banking services jobs language conversation support loneliness friendship "
    "evening morning weekdays weekends accessible wheelchair snacks materials provided bring "
    "equipment"
)
SKILLS = _split(
    "leipominen|neulominen|ompelu|ruoanlaitto|puutarhanhoito|siivous|lastenhoito|"
    "koiran ulkoilutus|kitaransoitto|pianonsoitto|laulaminen|valokuvaus|maalaus|puutyöt|"
    "polkupyörien korjaus|tietokoneet|älypuhelimet|englanti|ruotsi|venäjä|arabia|somali|viro|"
    "kirjanpito|kielenkääntäminen|ensiapu|kuntoilu|juoksu|jalkapallo|shakki|kuuntelu|"
    "keskustelu|ulkoilu|marjastus|sienestys|autonkorjaus|muuttoapu|kaupassakäynti|baking|"
    "knitting|sewing|cooking|gardening|cleaning|childcare|dog walking|guitar|piano|singing|"
    "photography|painting|woodwork|bicycle repair|computers|smartphones|English|Swedish|"
    "Russian|Arabic|Somali|Estonian|bookkeeping|translation|first aid|fitness|running|"
    "football|chess|listening|storytelling|hiking|berry picking|car repair|moving help|"
    "shopping help|tutoring|mathematics|writing|drawing"
    "|",
)
RESOURCES = _split(
    "keittiö|sauna|kerhohuone|kokoustila|piha|puutarha|pakettiauto|tietokoneet|videotykki|"
    "ompelukoneet|työkalut|liikuntasali|bändikämppä|astiat|pöydät ja tuolit|kitchen|"
    "meeting room|hall|garden|van|computers|projector|sewing machines|tools|gym|"
    "rehearsal room|volunteers|funding|storage space|transport|interpreters|tables and chairs"
    "|",
)
TARGET_GROUPS = _split(
    "nuoret|seniorit|lapsiperheet|maahanmuuttajat|työttömät|opiskelijat|asukkaat|"
    "mielenterveyskuntoutujat|young people|seniors|families with children|newcomers|"
    "jobseekers|students|all residents|people with disabilities"
    "|",
)
FACILITIES = _split("esteetön|keittiö|sauna|piha|accessible|kitchen|lift|parking|meeting room", "|")
WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "maanantaisin"]

# --- the world and the partners ------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The two organisations, their users and the pool; ``now`` anchors every date."""

    org_a: str
    org_b: str
    pool_id: str
    admin_a: str
    staff_a: str
    admin_b: str
    now: datetime

    def staff(self) -> Principal:
        """The caller of every benchmark search: staff (not admin) of the first organisation."""
        return Principal(self.staff_a, self.org_a, frozenset({"staff"}))

    def admin(self, organisation_id: str) -> Principal:
        user = self.admin_a if organisation_id == self.org_a else self.admin_b
        return Principal(user, organisation_id, frozenset({"admin", "staff"}))


@dataclass(frozen=True)
class Spec:
    """One generated partner: what a staff member would have entered."""

    index: int
    id: str
    organisation_id: str
    kind: str
    responsible_user_id: str
    district_code: str
    categories: tuple[str, ...]
    tie_strength: str
    last_contact_on: date | None
    created_at: datetime
    updated_at: datetime
    card: dict[str, Any]
    purposes: tuple[tuple[str, str | None], ...]  # (purpose, scope)

    @property
    def pending(self) -> bool:
        return all(purpose != "file" for purpose, _ in self.purposes)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice(['40', '41', '44', '45', '46', '50'])} {rng.randrange(10**7):07d}"


def _email(rng: random.Random, name: str) -> str:
    local = ".".join(terms.fold(name).replace("-", " ").split()[:2])
    return f"{local}{rng.randrange(1000)}@example.org"


def _organisation_card(rng: random.Random) -> dict[str, Any]:
    _, place, genitive = rng.choice(DISTRICTS)
    if rng.random() < 0.7:
        name = f"{genitive} {rng.choice(ORG_NOUNS_FI)} {rng.choice(ORG_SUFFIXES)}".strip()
    else:
        name = f"{place} {rng.choice(ORG_NOUNS_EN)}"
    offers = [
        {
            "title": rng.choice(OFFER_TITLES),
            "description": " ".join(rng.sample(DESCRIPTION_WORDS, rng.randint(4, 12))),
            "schedule": f"{rng.choice(WEEKDAYS)} {rng.randint(9, 18)}-{rng.randint(19, 21)}",
        }
        for _ in range(rng.randint(1, 3))
    ]
    return {
        "name": name,
        "contact": {"email": _email(rng, name), "phone": _phone(rng)},
        "target_group": ", ".join(rng.sample(TARGET_GROUPS, rng.randint(1, 2))),
        "facilities": ", ".join(rng.sample(FACILITIES, rng.randint(0, 3))),
        "offers": offers,
        "contact_person": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "resources_available": rng.sample(RESOURCES, rng.randint(0, 3)),
        "resources_needed": rng.sample(RESOURCES, rng.randint(0, 2)),
        "notes": "internal note " + " ".join(rng.sample(DESCRIPTION_WORDS, 5)),
    }


def _citizen_card(rng: random.Random) -> dict[str, Any]:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    start = rng.randint(9, 17)
    return {
        "name": name,
        "contact": {"email": _email(rng, name), "phone": _phone(rng)},
        "birthday": date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        "skills": rng.sample(SKILLS, rng.randint(1, 5)),
        "availability": [
            {"weekday": rng.randint(1, 7), "start": f"{start:02}:00", "end": f"{start + 2:02}:00"}
        ][: rng.randint(0, 1)],
        "notes": "private",
    }


def _purposes(rng: random.Random, pool_id: str) -> tuple[tuple[str, str | None], ...]:
    """Most partners: file, team and the pool; some not pooled, a few without team, and
    a few pending (no `file` consent yet)."""
    roll = rng.random()
    if roll < 0.02:
        return ()
    if roll < 0.05:
        return (("file", None),)
    if roll < 0.15:
        return (("file", None), ("team", None))
    scope = "contact" if rng.random() < 0.3 else "basic"
    return (("file", None), ("team", None), (f"pool:{pool_id}", scope))


def make_spec(index: int, world: World, seed: int) -> Spec:
    """The ``index``-th partner; the same for the same seed, whichever process makes it."""
    rng = random.Random(f"{seed}:{index}")
    own_a = index % 2 == 0
    citizen = rng.random() < 0.6
    created = world.now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
    admin = world.admin_a if own_a else world.admin_b
    return Spec(
        index=index,
        id=_uuid(rng),
        organisation_id=world.org_a if own_a else world.org_b,
        kind="citizen" if citizen else "organisation",
        responsible_user_id=world.staff_a if own_a and rng.random() < 0.1 else admin,
        district_code=rng.choice(DISTRICTS)[0],
        categories=tuple(sorted(rng.sample(CATEGORIES, rng.randint(1, 3)))),
        tie_strength="strong" if rng.random() < 0.25 else "weak",
        last_contact_on=None
        if rng.random() < 0.3
        else world.now.date() - timedelta(days=rng.randrange(720)),
        created_at=created,
        updated_at=created
        + timedelta(seconds=rng.randrange(int((world.now - created).total_seconds()) + 1)),
        card=_citizen_card(rng) if citizen else _organisation_card(rng),
        purposes=_purposes(rng, world.pool_id),
    )


# --- sealing in bulk -----------------------------------------------------------------------

# The bulk keyring keeps its keys in memory, so sealing and HMAC never use a session.
NO_SESSION = cast(Session, None)

_COLUMNS = {
    "registry.data_keys": "id kind organisation_id subject_id version wrapped wrapped_by "
    "created_at shredded_at",
    "registry.partners": "id organisation_id kind status responsible_user_id district_code "
    "tie_strength last_contact_on card_updated_on card_encrypted purge_after created_at "
    "updated_at purposes purposes_expire_on category_codes terms",
    "registry.consent_records": "id partner_id purpose scope action method information_version "
    "evidence_encrypted obtained_by obtained_on valid_until recorded_at",
    "registry.consent_grants": "partner_id purpose scope valid_until record_id",
    "plain.partners": "id organisation_id kind status responsible_user_id team_shared "
    "pool_shared name name_folded search_text text_folded district_code categories "
    "tie_strength last_contact_on updated_at",
}
COLUMNS = {table: tuple(columns.split()) for table, columns in _COLUMNS.items()}
Row = dict[str, Any]


class BulkKeyring(Keyring):
    """The registry's keyring with its key store in memory: organisation and blind-index
    keys are read once (in the parent process), and each new subject key is made and
    wrapped exactly as ``Keyring._create`` does, but collected for COPY instead of inserted
    one by one. Sealing and blind indexes are the keyring's own code."""

    def __init__(self, base: Keyring) -> None:
        super().__init__(base.provider, base.table, base.service, phone_region=base.phone_region)
        self.known: dict[tuple[str, str], DataKey] = {}
        self.new_keys: list[Row] = []

    def load(self, session: Session, organisation_ids: Sequence[str]) -> None:
        for organisation_id in organisation_ids:
            for kind in (ORGANISATION, BLIND_INDEX):
                key = super()._current_key(session, kind, organisation_id, None)
                self.known[(kind, organisation_id)] = key

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


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, tuple):
        return "{" + ",".join(f'"{v}"' for v in value) + "}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _copy_line(table: str, row: Row) -> str:
    return "\t".join(_copy_field(row.get(column)) for column in COLUMNS[table]) + "\n"


def _terms(
    keyring: Keyring, spec: Spec, document: dict[str, Any], texts: list[str]
) -> tuple[str, ...]:
    """What ``service.index_terms`` stores for a new partner (no competence cards yet)."""
    org = spec.organisation_id
    name_terms = keyring.term_indexes(
        NO_SESSION, org, "name", terms.name_prefixes(document["name"])
    )
    found = set(terms.tagged("name", name_terms))
    for kind in ("email", "phone"):
        value = (document.get("contact") or {}).get(kind)
        index = keyring.blind_index(NO_SESSION, org, kind, value) if value else None
        if index:
            found.update(terms.tagged(kind, [index]))
    if not spec.pending:
        words = keyring.term_indexes(NO_SESSION, org, "text", terms.words(texts))
        found.update(terms.tagged("text", words))
    return tuple(sorted(found))


def _consents(spec: Spec) -> tuple[list[Row], list[Row]]:
    """A `granted` record and the current grant per purpose, as ``consent.grant`` writes."""
    records, grants = [], []
    rng = random.Random(f"consent:{spec.id}")
    for purpose, scope in spec.purposes:
        record = {
            "id": _uuid(rng),
            "partner_id": spec.id,
            "purpose": purpose,
            "scope": scope,
            "action": "granted",
            "method": "written",
            "information_version": "v1",
            "obtained_by": f"user:{spec.responsible_user_id}",
            "obtained_on": spec.created_at.date(),
            "recorded_at": spec.created_at,
        }
        records.append(record)
        grants.append(
            {"partner_id": spec.id, "purpose": purpose, "scope": scope, "record_id": record["id"]}
        )
    return records, grants


def _plain(spec: Spec, world: World, status: str, name: str, texts: list[str]) -> Row:
    """The partner in the baseline's plain table; folded words make its tsvectors."""
    purposes = {purpose for purpose, _ in spec.purposes}
    return {
        "id": spec.id,
        "organisation_id": spec.organisation_id,
        "kind": spec.kind,
        "status": status,
        "responsible_user_id": spec.responsible_user_id,
        "team_shared": "team" in purposes,
        "pool_shared": f"pool:{world.pool_id}" in purposes,
        "name": name,
        "name_folded": " ".join(terms.name_query(name)),
        "search_text": "\n".join(texts),
        "text_folded": " ".join(sorted(w for w in terms.words(texts) if not w.startswith("~"))),
        "district_code": spec.district_code,
        "categories": spec.categories,
        "tie_strength": spec.tie_strength,
        "last_contact_on": spec.last_contact_on,
        "updated_at": spec.updated_at,
    }


def seal_partner(keyring: BulkKeyring, spec: Spec, world: World) -> dict[str, list[Row]]:
    """The rows ``create_partner`` would write for ``spec``, and its plain-table twin."""
    parsed = parse_card(spec.kind, spec.card)
    document = pending_card(parsed) if spec.pending else parsed.model_dump(mode="json")
    texts = [] if spec.pending else searchable_text(parsed)
    status = PartnerStatus.pending.value if spec.pending else PartnerStatus.active.value
    holder = Partner(id=spec.id, organisation_id=spec.organisation_id)
    partner = {
        "id": spec.id,
        "organisation_id": spec.organisation_id,
        "kind": spec.kind,
        "status": status,
        "responsible_user_id": spec.responsible_user_id,
        "district_code": spec.district_code,
        "category_codes": tuple(sorted(set(spec.categories))),
        "tie_strength": spec.tie_strength,
        "last_contact_on": spec.last_contact_on,
        "card_updated_on": spec.updated_at.date(),
        "card_encrypted": seal(NO_SESSION, keyring, holder, "partners", spec.id, document),
        "purge_after": world.now.date() + timedelta(days=30) if spec.pending else None,
        "created_at": spec.created_at,
        "updated_at": spec.updated_at,
        "terms": _terms(keyring, spec, document, texts),
    }
    records, grants = _consents(spec)
    # the row's copy of its purposes, as consent.service.cache_purposes keeps it
    partner["purposes"] = "".join(
        f"|{g['purpose']}" for g in sorted(grants, key=lambda g: g["purpose"])
    )
    partner["purposes"] += "|" if grants else ""
    partner["purposes_expire_on"] = None  # the seeded grants do not expire
    return {
        "registry.partners": [partner],
        "registry.consent_records": records,
        "registry.consent_grants": grants,
        "plain.partners": [_plain(spec, world, status, document["name"], texts)],
    }


_WORKER: dict[str, Any] = {}


def _init_worker(keyring: BulkKeyring, world: World, seed: int) -> None:
    _WORKER.update(keyring=keyring, world=world, seed=seed)


def seal_batch(indexes: range) -> dict[str, bytes]:
    """COPY payloads (text format) for a batch of partners, one per table."""
    try:
        return _seal_batch(indexes)
    except Exception as exc:  # the project's errors do not pickle back to the parent
        raise RuntimeError(f"sealing partners {indexes}: {exc!r}") from None


def _seal_batch(indexes: range) -> dict[str, bytes]:
    keyring: BulkKeyring = _WORKER["keyring"]
    world: World = _WORKER["world"]
    keyring.new_keys.clear()
    lines: dict[str, list[str]] = defaultdict(list)
    for index in indexes:
        spec = make_spec(index, world, _WORKER["seed"])
        for table, rows in seal_partner(keyring, spec, world).items():
            lines[table].extend(_copy_line(table, row) for row in rows)
    lines["registry.data_keys"] = [_copy_line("registry.data_keys", k) for k in keyring.new_keys]
    return {table: "".join(rows).encode() for table, rows in lines.items()}


# --- database ------------------------------------------------------------------------------


PLAIN_SCHEMA = """
CREATE SCHEMA plain;
CREATE TABLE plain.partners (
    id varchar(36) PRIMARY KEY,
    organisation_id varchar(36) NOT NULL,
    kind varchar(16) NOT NULL,
    status varchar(16) NOT NULL,
    responsible_user_id varchar(36),
    team_shared boolean NOT NULL,
    pool_shared boolean NOT NULL,
    name text NOT NULL,
    name_folded text NOT NULL,
    search_text text NOT NULL,
    text_folded text NOT NULL,
    district_code varchar(16),
    categories text[] NOT NULL,
    tie_strength varchar(8) NOT NULL,
    last_contact_on date,
    updated_at timestamptz NOT NULL,
    name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', name_folded)) STORED,
    text_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text_folded)) STORED
);
CREATE INDEX plain_partners_name ON plain.partners USING gin (name_tsv);
CREATE INDEX plain_partners_name_prefix ON plain.partners (lower(name) text_pattern_ops);
CREATE INDEX plain_partners_text ON plain.partners USING gin (text_tsv);
CREATE INDEX plain_partners_district ON plain.partners (district_code);
CREATE INDEX plain_partners_categories ON plain.partners USING gin (categories);
CREATE INDEX plain_partners_owner ON plain.partners (organisation_id, status);
"""


def setup_schema(url: str, data_dir: Path) -> Registry:
    database = Database(url, "registry")
    migrations.upgrade("registry", database)
    database.dispose()
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute(PLAIN_SCHEMA)
    settings = RegistrySettings(database_url=url, data_dir=data_dir, environment="test")
    return Registry.build(settings)


def make_world(registry: Registry) -> World:
    """Two organisations in one active pool, an admin each, and the searching staff member."""
    with registry.database.session() as session:

        def org(name: str) -> str:
            return identity.create_organisation(
                session, OrganisationIn(name=name, kind=OrganisationKind.support_provider), "bench"
            ).id

        def user(org_id: str, email: str, roles: list[str]) -> str:
            data = UserIn(
                email=email,
                display_name=email.split("@")[0],
                password="bench password 123",
                roles=roles,
            )
            return identity.create_user(session, registry, org_id, data, "bench").id

        org_a, org_b = org("Kotipolku tuki ry"), org("Naapuruusyhdistys Kallio ry")
        admin_a = user(org_a, "admin@a.example.org", ["admin", "staff"])
        staff_a = user(org_a, "staff@a.example.org", ["staff"])
        admin_b = user(org_b, "admin@b.example.org", ["admin", "staff"])
        principal_a = Principal(admin_a, org_a, frozenset({"admin"}))
        pool = pools.create_pool(session, principal_a, "Helsingin verkosto")
        pools.invite(session, principal_a, pool.id, org_b)
        pools.accept(session, Principal(admin_b, org_b, frozenset({"admin"})), pool.id)
        return World(org_a, org_b, pool.id, admin_a, staff_a, admin_b, datetime.now(UTC))


# Tables whose indexes (other than those of their constraints, which other tables' foreign
# keys need) are dropped during the load and rebuilt after it from their own definitions:
# building an index once is much faster than 100,000 inserts into it. The same for both
# sides, so that neither side's GIN indexes are the fresher ones.
DEFERRED = ("registry.partners", "plain.partners")


@contextmanager
def deferred_indexes(conn: psycopg.Connection[Any], tables: Sequence[str]) -> Iterator[None]:
    """Drops the tables' indexes that no constraint stands for, and restores exactly the
    same ones."""
    indexes: list[str] = []
    for table in tables:
        for name, definition in conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            (table,),
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
            indexes.append(definition)
    conn.commit()
    yield
    conn.execute("SET maintenance_work_mem = '512MB'")
    for definition in indexes:
        conn.execute(definition)
    conn.commit()


def seed_partners(
    registry: Registry, world: World, count: int, seed: int, workers: int, batch: int
) -> dict[str, float]:
    """Seals ``count`` partners on ``workers`` processes and COPYs them in, then VACUUM
    ANALYZE; returns the seconds of each step and in all."""
    keyring = BulkKeyring(registry.keyring)
    with registry.database.session() as session:
        keyring.load(session, [world.org_a, world.org_b])
    batches = [range(start, min(start + batch, count)) for start in range(0, count, batch)]
    dsn = libpq_dsn(registry.database.url)
    seconds = {"copy": 0.0}
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with (
        context.Pool(workers, _init_worker, (keyring, world, seed)) as pool,
        psycopg.connect(dsn) as conn,
    ):
        with deferred_indexes(conn, DEFERRED):
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
                    print(f"  {batches[done - 1].stop:>7} partners  {elapsed:6.1f} s", flush=True)
            seconds["seal and copy"] = time.perf_counter() - started
        seconds["rebuild indexes"] = time.perf_counter() - started - seconds["seal and copy"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seconds["total"] = time.perf_counter() - started
    seconds["vacuum analyze"] = (
        seconds["total"] - seconds["seal and copy"] - seconds["rebuild indexes"]
    )
    return seconds


# --- the queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    type: str
    query: PartnerQuery

    def label(self) -> str:
        q = self.query
        parts = [
            f"{k}={v!r}"
            for k, v in (
                ("name", q.name),
                ("text", q.text),
                ("district", q.district),
                ("category", q.category),
            )
            if v
        ]
        return f"{self.type}: {' '.join(parts)}" + (f" page={q.page}" if q.page > 1 else "")


def bench_queries() -> list[BenchQuery]:
    """Ten queries of each type, from selective to broad, some on later pages."""
    q = PartnerQuery
    names = _split("virt|kor|mäki|aino|kallion|asukas|smi|kallion kä|matti vir|ruokapankki", "|")
    texts = _split(
        "sauna|kokki|knitting|vertaistuki|digituki|leipominen|cooking beginners|free|ompelu|chess",
        "|",
    )
    districts = _split("00530 00100 00940 00980 00610 00700 00250 00920 00200 00800")
    combined = [
        q(text="sauna", district="00530"),
        q(name="kallion", category="culture"),
        q(text="knitting", category="crafts"),
        q(district="00940", category="food"),
        q(text="free", district="00700", category="children"),
        q(name="aino", text="baking"),
        q(name="vir", district="00610"),
        q(text="digital help", category="digital"),
        q(text="lukupiiri", district="00100", page=2),
        q(name="ma", category="elderly", page=3),
    ]
    return [
        *(BenchQuery("name", q(name=n, page=2 if i == 1 else 1)) for i, n in enumerate(names)),
        *(BenchQuery("text", q(text=t, page=2 if i == 7 else 1)) for i, t in enumerate(texts)),
        *(BenchQuery("district", q(district=d, page=1 + i % 3)) for i, d in enumerate(districts)),
        *(
            BenchQuery("category", q(category=c, page=1 + i % 2))
            for i, c in enumerate(CATEGORIES[:10])
        ),
        *(BenchQuery("combined", c) for c in combined),
    ]


def _tsquery(words: list[str]) -> str:
    return " & ".join(words)


def baseline_sql(world: World, query: PartnerQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of a plain implementation of the same search, and its parameters."""
    clauses = [
        "p.status = 'active'",
        "((p.organisation_id = :me AND (p.responsible_user_id = :user OR p.team_shared))"
        " OR (p.organisation_id = ANY(:peers) AND p.pool_shared))",
    ]
    params: dict[str, Any] = {"me": world.org_a, "user": world.staff_a, "peers": [world.org_b]}
    name_tokens = terms.name_query(query.name)
    if name_tokens:
        clauses.append("p.name_tsv @@ to_tsquery('simple', :name_q)")
        params["name_q"] = _tsquery([f"{t}:*" for t in name_tokens])
    words = [options[0] for options in terms.word_query(query.text)]
    if words:
        clauses.append("p.text_tsv @@ to_tsquery('simple', :text_q)")
        params["text_q"] = _tsquery(
            [f"{w[: terms.STEM]}:*" if len(w) >= terms.STEM else w for w in words]
        )
    if query.district:
        clauses.append("p.district_code = :district")
        params["district"] = query.district
    if query.category:
        clauses.append("p.categories @> ARRAY[CAST(:category AS text)]")
        params["category"] = query.category
    return " AND ".join(clauses), params


def run_baseline(engine: Engine, world: World, query: PartnerQuery) -> tuple[int, list[str]]:
    where, params = baseline_sql(world, query)
    page = {"limit": query.page_size, "offset": (query.page - 1) * query.page_size}
    with engine.begin() as conn:
        total = conn.execute(
            text(f"SELECT count(*) FROM plain.partners p WHERE {where}"), params
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT p.id, p.organisation_id, p.kind, p.status, p.name, p.district_code,"
                " p.categories, p.tie_strength, p.last_contact_on FROM plain.partners p"
                f" WHERE {where} ORDER BY CASE WHEN p.organisation_id = :me THEN 0 ELSE 1 END,"
                " p.updated_at DESC, p.id LIMIT :limit OFFSET :offset"
            ),
            {**params, **page},
        ).mappings()
        items = [dict(row) for row in rows]
    return total, [item["id"] for item in items]


def run_kortisto(
    registry: Registry, world: World, query: PartnerQuery, timer: "Breakdown | None" = None
) -> tuple[int, list[str]]:
    """One search as the API runs it: its own transaction, committed."""
    with registry.database.sessions() as session:
        page = search(session, registry, world.staff(), query)
        started = time.perf_counter()
        session.commit()
        if timer is not None:
            timer.add("commit", time.perf_counter() - started)
    return page.total, [item.id for item in page.items]


# --- checks --------------------------------------------------------------------------------


def _found(registry: Registry, principal: Principal, query: PartnerQuery, spec: Spec) -> bool:
    """The real search finds the partner, and its decrypted name is the one it was given."""
    with registry.database.session() as session:
        page = search(session, registry, principal, query)
    return any(item.id == spec.id and item.name == spec.card["name"] for item in page.items)


def verify(registry: Registry, world: World, count: int, seed: int) -> str:
    """Known partners are found by name and by a word; the pooled ones of the other
    organisation also by the staff member who runs the benchmark; an unknown word by none."""
    checked = 0
    for index in sorted({0, 1, 2, 3, count // 3, count // 2, count - 2, count - 1}):
        spec = make_spec(index, world, seed)
        if spec.pending:
            continue
        words = terms.words(searchable_text(parse_card(spec.kind, spec.card)))
        word = max(sorted(w for w in words if not w.startswith("~")), key=len)
        by_name = PartnerQuery(name=spec.card["name"], district=spec.district_code, page_size=100)
        by_word = PartnerQuery(
            text=word, district=spec.district_code, category=spec.categories[0], page_size=100
        )
        owner = world.admin(spec.organisation_id)
        checks = [(owner, by_name), (owner, by_word)]
        if spec.organisation_id == world.org_b and any(
            purpose.startswith("pool:") for purpose, _ in spec.purposes
        ):
            checks.append((world.staff(), by_name))
        for principal, query in checks:
            if not _found(registry, principal, query, spec):
                raise SystemExit(f"verify: partner {index} not found by {principal} {query}")
        checked += 1
    with registry.database.session() as session:
        if search(session, registry, world.staff(), PartnerQuery(text="xylofoni")).total:
            raise SystemExit("verify: a word nobody has was found")
    return f"{checked} known partners found by name and by word, through the real search"


def compare_sides(
    registry: Registry, engine: Engine, world: World, queries: list[BenchQuery]
) -> dict[BenchQuery, int]:
    """Runs each query on both sides, prints those on which they disagree on the total or
    the page, and returns Kortisto's totals."""
    totals, agreeing = {}, 0
    for bench_query in queries:
        kortisto = run_kortisto(registry, world, bench_query.query)
        baseline = run_baseline(engine, world, bench_query.query)
        totals[bench_query] = kortisto[0]
        if kortisto == baseline:
            agreeing += 1
        else:
            pages = "equal" if kortisto[1] == baseline[1] else "differ"
            print(
                f"  differs: {bench_query.label()}: kortisto total {kortisto[0]},"
                f" baseline total {baseline[0]}, pages {pages}"
            )
    print(f"sides agree on total and first page: {agreeing}/{len(queries)} queries")
    return totals


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
    """Latencies (seconds) of one round: side -> query -> seconds."""

    times: dict[str, dict[BenchQuery, float]] = field(
        default_factory=lambda: {side: {} for side in SIDES}
    )

    def stat(self, side: str, query_type: str, q: float) -> float:
        values = [
            t for query, t in self.times[side].items() if query_type in ("overall", query.type)
        ]
        return percentile(values, q)


def measure_round(
    registry: Registry, engine: Engine, world: World, queries: list[BenchQuery], rng: random.Random
) -> Round:
    """Every query on both sides, in a shuffled order, alternating which side goes first."""
    result = Round()
    order = list(queries)
    rng.shuffle(order)
    runners: dict[str, Callable[[PartnerQuery], object]] = {
        "kortisto": partial(run_kortisto, registry, world),
        "baseline": partial(run_baseline, engine, world),
    }
    for position, bench_query in enumerate(order):
        for side in SIDES if position % 2 == 0 else SIDES[::-1]:
            started = time.perf_counter()
            runners[side](bench_query.query)
            result.times[side][bench_query] = time.perf_counter() - started
    return result


def summarise(rounds: list[Round]) -> dict[tuple[str, str, str], float]:
    """Median over rounds of each round's p50 and p95, in ms, by (side, type, p50|p95)."""
    summary = {}
    for side in ("kortisto", "baseline"):
        for query_type in (*TYPES, "overall"):
            for label, q in (("p50", 0.5), ("p95", 0.95)):
                summary[(side, query_type, label)] = 1000 * statistics.median(
                    r.stat(side, query_type, q) for r in rounds
                )
    return summary


def slowest(rounds: list[Round], totals: dict[BenchQuery, int], count: int = 8) -> list[str]:
    """The queries slowest on the Kortisto side (medians over rounds, ms)."""
    medians = {
        query: [1000 * statistics.median(r.times[side][query] for r in rounds) for side in SIDES]
        for query in totals
    }
    lines = ["slowest Kortisto queries (median ms kortisto / baseline, matching partners):"]
    for query, (kortisto, baseline) in sorted(medians.items(), key=lambda i: -i[1][0])[:count]:
        lines.append(f"  {kortisto:7.1f} / {baseline:6.1f}  {totals[query]:>6}  {query.label()}")
    return lines


# --- where the time goes -------------------------------------------------------------------


class Breakdown:
    """Sums time by component while instrumented searches run: SQL statements by what they
    touch, decryption of the page, HMAC of the query terms (key look-ups counted as SQL)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.statements = 0
        self.inside: str | None = None

    def add(self, component: str, seconds: float) -> None:
        self.seconds[component] += seconds

    def classify(self, statement: str) -> str:
        if "data_keys" in statement:
            return f"sql: data keys ({self.inside or 'other'})"
        if "access_log" in statement or "access_chain_heads" in statement:
            return "sql: access log"
        if "FROM registry.partners" in statement and (
            "count(*)" in statement or "LIMIT" in statement
        ):
            return "sql: search count + page"
        if "FROM plain.partners" in statement:
            return "sql: search count + page"
        return "sql: other look-ups"

    @contextmanager
    def instrument(self, engine: Engine, keyring: Keyring) -> Iterator[None]:
        started: list[float] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            started.append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.statements += 1
            self.add(self.classify(statement), time.perf_counter() - started.pop())

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
        keyring.decrypt = timed("decrypt page", keyring.decrypt)  # type: ignore[method-assign]
        keyring.term_indexes = timed("hmac query terms", keyring.term_indexes)  # type: ignore[method-assign]
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            del keyring.decrypt, keyring.term_indexes

    def report(self, total: float, searches: int) -> list[str]:
        """Components in ms per search; crypto net of the key look-ups inside it."""
        parts = dict(self.seconds)
        for crypto in ("decrypt page", "hmac query terms"):
            if crypto in parts:
                parts[crypto] -= parts.get(f"sql: data keys ({crypto})", 0.0)
        parts["python (ORM, pydantic, rest)"] = total - sum(parts.values())
        lines = [f"  {'component':<40} {'ms/search':>9} {'share':>6}"]
        for name, seconds in sorted(parts.items(), key=lambda item: -item[1]):
            lines.append(
                f"  {name:<40} {1000 * seconds / searches:9.2f} {100 * seconds / total:5.1f}%"
            )
        per_search = self.statements / searches
        lines.append(
            f"  {'total':<40} {1000 * total / searches:9.2f}"
            f"  ({per_search:.1f} SQL statements per search)"
        )
        return lines


def breakdown(
    registry: Registry, engine: Engine, world: World, queries: list[BenchQuery]
) -> list[str]:
    kortisto, baseline = Breakdown(), Breakdown()
    total_k = total_b = 0.0
    for bench_query in queries:
        with kortisto.instrument(registry.database.engine, registry.keyring):
            started = time.perf_counter()
            run_kortisto(registry, world, bench_query.query, kortisto)
            total_k += time.perf_counter() - started
        with baseline.instrument(engine, registry.keyring):
            started = time.perf_counter()
            run_baseline(engine, world, bench_query.query)
            total_b += time.perf_counter() - started
    return [
        f"where a Kortisto search's time goes (one instrumented pass over {len(queries)} queries):",
        *kortisto.report(total_k, len(queries)),
        "the baseline, same pass:",
        *baseline.report(total_b, len(queries)),
    ]


# --- the run -------------------------------------------------------------------------------


def print_table(summary: dict[tuple[str, str, str], float], rounds: list[Round]) -> None:
    print(
        f"{'ms':<10} {'kortisto p50':>12} {'p95':>8} {'baseline p50':>14} {'p95':>8} {'ratio':>7}"
    )
    for query_type in (*TYPES, "overall"):
        k50, k95, b50, b95 = (
            summary[(side, query_type, label)]
            for side in ("kortisto", "baseline")
            for label in ("p50", "p95")
        )
        print(f"{query_type:<10} {k50:12.1f} {k95:8.1f} {b50:14.1f} {b95:8.1f} {k95 / b95:7.2f}")
    per_round = [
        r.stat("kortisto", "overall", 0.95) / r.stat("baseline", "overall", 0.95) for r in rounds
    ]
    print("overall p95 ratio per round: " + " ".join(f"{r:.2f}" for r in per_round))


def seed(registry: Registry, args: argparse.Namespace) -> World:
    world = make_world(registry)
    print(f"seeding {args.partners} partners on {args.workers} workers ...", flush=True)
    seconds = seed_partners(registry, world, args.partners, args.seed, args.workers, args.batch)
    print(
        f"seeding: {args.partners} partners in {seconds['total']:.1f} s (sealing and"
        f" COPY {seconds['seal and copy']:.1f} s, of which the parent waited on COPY"
        f" {seconds['copy']:.1f} s; rebuilding indexes {seconds['rebuild indexes']:.1f} s;"
        f" VACUUM ANALYZE {seconds['vacuum analyze']:.1f} s)"
    )
    print(sizes(registry.database.engine))
    print("verify: " + verify(registry, world, args.partners, args.seed))
    return world


def sizes(engine: Engine) -> str:
    """Rows and size with indexes of the tables the searches read."""
    tables = ("registry.partners", "registry.consent_grants")
    found = []
    with engine.connect() as conn:
        for table in (*tables, "plain.partners"):
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            found.append(f"{table} {rows} rows {size / 2**20:.0f} MB")
    return "tables: " + ", ".join(found)


def measure(
    registry: Registry, world: World, queries: list[BenchQuery], args: argparse.Namespace
) -> list[Round]:
    """Warm-up rounds, then the measured ones."""
    engine = registry.database.engine
    for _ in range(args.warmup):
        measure_round(registry, engine, world, queries, random.Random(-1))
    rng = random.Random(args.seed)
    rounds = []
    for number in range(1, args.rounds + 1):
        rounds.append(measure_round(registry, engine, world, queries, rng))
        kortisto, baseline = (1000 * rounds[-1].stat(s, "overall", 0.95) for s in SIDES)
        print(f"  round {number}: p95 kortisto {kortisto:.1f} ms, baseline {baseline:.1f} ms")
    return rounds


def report(
    registry: Registry, world: World, totals: dict[BenchQuery, int], rounds: list[Round]
) -> float:
    """Prints the figures and returns the ratio of the overall p95s."""
    summary = summarise(rounds)
    queries = list(totals)
    print(f"\n{len(queries)} queries x {len(rounds)} rounds, medians over rounds, in ms:")
    print_table(summary, rounds)
    print()
    print("\n".join(slowest(rounds, totals)))
    print()
    print("\n".join(breakdown(registry, registry.database.engine, world, queries)))
    kortisto_p95 = summary[("kortisto", "overall", "p95")]
    ratio = kortisto_p95 / summary[("baseline", "overall", "p95")]
    print(
        f"\ntarget p95 < 200 ms: {'met' if kortisto_p95 < 200 else 'NOT met'}"
        f" ({kortisto_p95:.1f} ms); ratio <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'}"
    )
    return ratio


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with (
        key_directory(args.keep) as keys,
        bench_database(args.admin_dsn, args.keep) as url,
    ):
        registry = setup_schema(url, keys)
        try:
            world = seed(registry, args)
            queries = bench_queries()
            totals = compare_sides(registry, registry.database.engine, world, queries)
            ratio = report(registry, world, totals, measure(registry, world, queries, args))
        finally:
            registry.database.dispose()
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {ratio:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--partners",
        type=int,
        default=100_000,
        help="partners to seed (default 100000; 10000 for a quick check)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds over all queries")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument("--workers", type=int, default=2, help="processes sealing partners")
    parser.add_argument("--batch", type=int, default=2000, help="partners per COPY batch")
    parser.add_argument("--seed", type=int, default=20260101, help="seed of the generated partners")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--keep", action="store_true", help="keep the database and the key file")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
