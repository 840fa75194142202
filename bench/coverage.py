"""Claim: a planner's coverage — supply (partners with `statistics` consent) against demand
(open wishes) by district × category, protected by primary and complementary suppression,
with the neighbouring districts' supply in the unmet demand — for 100,000 partners and
10,000 open wishes over 84 districts and 200 categories in under 1 s, against a baseline
that computes the same from the raw rows in Python, in the same run.

One run, on its own throw-away PostgreSQL database (``kortisto_bench_<random>``, dropped at
the end):

1. migrates the registry schema and loads the default reference data (the 84 Helsinki
   postal areas with their populations and neighbours, the PTV categories, of which the
   first 200 are used);
2. creates a municipality and ``--organisations`` organisations sharing statistics with
   it, and one that does not share (its partners and wishes are not counted);
3. seeds ``--partners`` partners as the registry stores them for counting (organisation,
   status, district, 1-3 categories, consent grants and the row's copy of its purposes:
   85 % `file` + `statistics`, 10 % `file` only, 3 % inactive, 2 % pending; a tenth of all
   belong to the organisation that does not share), and ``--wishes`` open wishes (plus a
   fifth as many fulfilled or dropped) in the registry's copy of demand, as the
   `wish.changed` consumer writes it. Districts follow the population, categories a
   long-tailed popularity (reversed for wishes, so that some demand is unmet). Cards are
   not written: coverage never reads them. Rows are loaded with COPY, then VACUUM ANALYZE;
4. checks that both sides publish the same two tables (every entry, suppressed or not)
   and the same unmet demand;
5. runs ``--rounds`` rounds after a warm-up. Each round runs both sides (the first
   alternating), then Kortisto at k=10, one instrumented pass that times Kortisto's steps,
   and the baseline's counting alone, so that all figures come from the same stretch of
   time. It prints the medians (with min-max) and last ``ratio: X`` = Kortisto median /
   baseline median.

Kortisto: ``service.coverage`` (the scope, the reference data, two SQL aggregates over
``unnest(category_codes)``, the protection of both tables) and ``service.gaps`` over every
cell (neighbours' published supply): what ``GET /planning/gaps`` computes. The baseline
reads the scope's raw rows (partners with their consent grants, wishes), decides consent,
status and district in Python, counts per district × category in dictionaries, then
protects and computes the gaps with the same functions, so both sides publish the same.

    uv run python bench/coverage.py                     # 100,000 partners: about a minute
    uv run python bench/coverage.py --partners 20000    # quick check

Results and what they mean: docs/performance.md, "Planner: coverage".
"""

import argparse
import random
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import select, text

from bench.throwaway import (
    ADMIN_DSN,
    bench_database,
    key_directory,
    libpq_dsn,
    reference_data_dir,
)
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn
from services.registry.planning import service, sharing
from services.registry.planning.schemas import GapLevel, GapsOut
from services.registry.planning.service import Coverage
from services.registry.planning.suppression import Key
from services.registry.reference.defaults import load_defaults
from services.registry.reference.models import Category, District
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Principal
from shared.database import Database

CATEGORIES = 200
TARGET_SECONDS = 1.0
OPEN = ("open", "in_progress")

# --- the database --------------------------------------------------------------------------


# --- the world -----------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    municipality: str
    sharing: tuple[str, ...]
    outsider: str  # does not share: its rows must not count
    districts: tuple[str, ...]
    populations: tuple[int, ...]
    categories: tuple[str, ...]

    @property
    def scope(self) -> tuple[str, ...]:
        return (self.municipality, *self.sharing)


def make_world(registry: Registry, organisations: int) -> World:
    with registry.database.session() as session:
        load_defaults(session, reference_data_dir())

        def org(name: str, kind: OrganisationKind) -> str:
            return identity.create_organisation(
                session, OrganisationIn(name=name, kind=kind), "bench"
            ).id

        municipality = org("Helsingin kaupunki", OrganisationKind.municipality)
        sharers = tuple(
            org(f"Tukijärjestö {n} ry", OrganisationKind.support_provider)
            for n in range(1, organisations + 1)
        )
        for organisation_id in sharers:
            admin = Principal("bench", organisation_id, frozenset({"admin"}))
            sharing.start(session, admin, municipality)
        outsider = org("Ei jaa tilastoja ry", OrganisationKind.association)
        districts = session.execute(
            select(District.code, District.population)
            .where(District.organisation_id.is_(None))
            .order_by(District.code)
        ).all()
        categories = session.scalars(
            select(Category.code).where(Category.organisation_id.is_(None)).order_by(Category.code)
        ).all()
    return World(
        municipality=municipality,
        sharing=sharers,
        outsider=outsider,
        districts=tuple(code for code, _ in districts),
        populations=tuple(max(int(p or 0), 50) for _, p in districts),
        categories=tuple(categories[:CATEGORIES]),
    )


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Picker:
    """Districts by population, categories by a long tail (a few popular, many rare).
    Wishes favour other categories than partners do, so that some demand is unmet."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.rng = rng
        self.world = world
        tail = [1 / (rank + 8) for rank in range(len(world.categories))]
        self.weights = {"partner": tail, "wish": tail[::-1]}

    def district(self) -> str:
        return self.rng.choices(self.world.districts, self.world.populations)[0]

    def categories(self, low: int, high: int, of: str) -> list[str]:
        count = self.rng.randint(low, high)
        chosen = self.rng.choices(self.world.categories, self.weights[of], k=count)
        return sorted(set(chosen))


def seed(
    registry: Registry, world: World, partners: int, wishes: int, seed_: int
) -> dict[str, float]:
    """Partners with their grants, and wishes, loaded with COPY; seconds per step."""
    rng = random.Random(seed_)
    pick = Picker(world, rng)
    today = date.today()
    now = datetime.now(UTC)
    times: dict[str, float] = {}
    started = time.perf_counter()
    partner_rows: list[tuple[Any, ...]] = []
    grant_rows: list[tuple[Any, ...]] = []
    for index in range(partners):
        partner_id = _uuid(rng)
        owner = world.outsider if index % 10 == 9 else world.sharing[index % len(world.sharing)]
        roll = rng.random()
        status = "pending" if roll < 0.02 else "inactive" if roll < 0.05 else "active"
        purposes = ["file", "statistics"] if roll >= 0.15 else ["file"] if roll >= 0.05 else []
        partner_rows.append(
            (
                partner_id,
                owner,
                "organisation" if rng.random() < 0.4 else "citizen",
                status,
                pick.district(),
                pick.categories(1, 3, "partner"),
                "weak",
                today - timedelta(days=rng.randint(0, 700)),
                b"",
                "".join(f"|{p}" for p in purposes) + "|" if purposes else "",
                now,
                now,
            )
        )
        grant_rows += [(partner_id, purpose, _uuid(rng)) for purpose in purposes]
    wish_rows: list[tuple[Any, ...]] = []
    for index in range(wishes + wishes // 5):
        owner = world.outsider if index % 10 == 9 else world.sharing[index % len(world.sharing)]
        is_open = index < wishes
        wish_rows.append(
            (_uuid(rng), owner, pick.district(), pick.categories(1, 2, "wish"), is_open, now)
        )
    times["generate rows"] = time.perf_counter() - started

    started = time.perf_counter()
    with psycopg.connect(libpq_dsn(registry.database.url)) as conn:
        with conn.cursor() as cursor:
            with cursor.copy(
                "COPY registry.partners (id, organisation_id, kind, status, district_code,"
                " category_codes, tie_strength, card_updated_on, card_encrypted, purposes,"
                " created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in partner_rows:
                    copy.write_row(row)
            with cursor.copy(
                "COPY registry.consent_grants (partner_id, purpose, record_id) FROM STDIN"
            ) as copy:
                for row in grant_rows:
                    copy.write_row(row)
            with cursor.copy(
                "COPY registry.demand_wishes (wish_id, organisation_id, district_code,"
                " category_codes, open, changed_at) FROM STDIN"
            ) as copy:
                for row in wish_rows:
                    copy.write_row(row)
        conn.commit()
    times["copy"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(libpq_dsn(registry.database.url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    times["vacuum analyze"] = time.perf_counter() - started
    return times


# --- the two sides -------------------------------------------------------------------------


def run_kortisto(registry: Registry, world: World, k: int = 5) -> tuple[Coverage, GapsOut]:
    """What ``GET /planning/gaps`` computes, in one unit of work."""
    with registry.database.session() as session:
        cov = service.coverage(session, world.municipality, k)
    return cov, service.gaps(cov, GapLevel.cell, "fi", 100_000)


def baseline_counts(registry: Registry, world: World) -> tuple[dict[Key, int], dict[Key, int]]:
    """Raw rows of the scope, and everything else in Python."""
    today = date.today()
    scope = list(world.scope)
    with registry.database.session() as session:
        partners = session.execute(
            text(
                "SELECT id, status, district_code, category_codes, purposes, purposes_expire_on"
                " FROM registry.partners WHERE organisation_id = ANY(:scope)"
            ),
            {"scope": scope},
        ).all()
        grants = session.execute(
            text(
                "SELECT g.partner_id, g.valid_until FROM registry.consent_grants g"
                " JOIN registry.partners p ON p.id = g.partner_id"
                " WHERE g.purpose = 'statistics' AND p.organisation_id = ANY(:scope)"
            ),
            {"scope": scope},
        ).all()
        wishes = session.execute(
            text(
                "SELECT district_code, category_codes, open FROM registry.demand_wishes"
                " WHERE organisation_id = ANY(:scope)"
            ),
            {"scope": scope},
        ).all()
    valid_grant = {pid for pid, until in grants if until is None or until >= today}
    supply: dict[Key, int] = defaultdict(int)
    for pid, status, district, codes, purposes, expires in partners:
        if status != "active" or district is None:
            continue
        fresh = expires is None or expires >= today
        consented = "|statistics|" in purposes if fresh else pid in valid_grant
        if consented:
            for code in codes:
                supply[(district, code)] += 1
    demand: dict[Key, int] = defaultdict(int)
    for district, codes, is_open in wishes:
        if is_open and district is not None:
            for code in codes:
                demand[(district, code)] += 1
    return supply, demand


def run_baseline(registry: Registry, world: World, k: int = 5) -> tuple[Coverage, GapsOut]:
    supply, demand = baseline_counts(registry, world)
    with registry.database.session() as session:
        scope = sharing.scope_of(session, world.municipality)
        reference = service.reference_for(session, world.municipality)
    published = service.protect_coverage(reference, supply, demand, k)
    cov = Coverage(scope, reference, k, *published, datetime.now(UTC))
    return cov, service.gaps(cov, GapLevel.cell, "fi", 100_000)


def verify(registry: Registry, world: World) -> str:
    kortisto, k_gaps = run_kortisto(registry, world)
    baseline, b_gaps = run_baseline(registry, world)
    for name in ("supply", "demand"):
        ours, theirs = getattr(kortisto, name), getattr(baseline, name)
        if ours.entries != theirs.entries or ours.columns != theirs.columns:
            raise SystemExit(f"verify: the {name} tables differ")
    strip = [g.model_dump(exclude={"computed_at"}) for g in k_gaps.gaps]
    if strip != [g.model_dump(exclude={"computed_at"}) for g in b_gaps.gaps]:
        raise SystemExit("verify: the gaps differ")
    cells = sum(1 for key in kortisto.supply.entries if "*" not in key)
    wish_cells = sum(1 for key in kortisto.demand.entries if "*" not in key)
    return (
        f"both sides publish the same: supply {cells} non-zero cells"
        f" ({len(kortisto.supply.suppressed)} entries suppressed, margins included),"
        f" demand {wish_cells} non-zero cells ({len(kortisto.demand.suppressed)} suppressed),"
        f" {len(kortisto.supply.columns)} categories, {len(k_gaps.gaps)} cells with unmet demand"
    )


def counted(registry: Registry, world: World) -> str:
    with registry.database.session() as session:
        supply = service.supply_counts(session, world.scope)
        demand = service.demand_counts(session, world.scope)
        partners = session.scalar(text("SELECT count(*) FROM registry.partners"))
        wishes = session.scalar(text("SELECT count(*) FROM registry.demand_wishes WHERE open"))
    return (
        f"rows: {partners} partners, {wishes} open wishes; counted in scope:"
        f" {sum(supply.values())} partner-category listings, {sum(demand.values())}"
        " wish-category listings"
    )


# --- measuring -----------------------------------------------------------------------------


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def instrumented_pass(registry: Registry, world: World) -> dict[str, float]:
    """One Kortisto computation split into its steps (seconds)."""
    parts: dict[str, float] = {}
    with registry.database.session() as session:
        begun = time.perf_counter()
        scope = sharing.scope_of(session, world.municipality)
        reference = service.reference_for(session, world.municipality)
        parts["scope and reference data"] = time.perf_counter() - begun
        begun = time.perf_counter()
        supply = service.supply_counts(session, scope.organisation_ids)
        parts["sql: supply aggregate"] = time.perf_counter() - begun
        begun = time.perf_counter()
        demand = service.demand_counts(session, scope.organisation_ids)
        parts["sql: demand aggregate"] = time.perf_counter() - begun
    begun = time.perf_counter()
    published = service.protect_coverage(reference, supply, demand, 5)
    parts["suppression (both tables)"] = time.perf_counter() - begun
    cov = Coverage(scope, reference, 5, *published, datetime.now(UTC))
    begun = time.perf_counter()
    service.gaps(cov, GapLevel.cell, "fi", 100_000)
    parts["neighbours and gaps"] = time.perf_counter() - begun
    begun = time.perf_counter()
    service.coverage_view(cov, "fi")
    parts["(the coverage view for JSON, not in the total)"] = time.perf_counter() - begun
    return parts


def measure(registry: Registry, world: World, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Each round: both sides (the first alternating), then the same computation at k=10,
    one instrumented pass and the baseline's counting alone, so that every figure comes
    from the same stretch of time on a shared machine."""
    sides: dict[str, Callable[[], Any]] = {
        "kortisto": lambda: run_kortisto(registry, world),
        "baseline": lambda: run_baseline(registry, world),
    }
    for _ in range(warmup):
        for run in sides.values():
            run()
    times: dict[str, list[float]] = defaultdict(list)
    for number in range(rounds):
        order = ["kortisto", "baseline"] if number % 2 == 0 else ["baseline", "kortisto"]
        for side in order:
            times[side].append(timed(sides[side]))
        times["kortisto at k=10"].append(timed(lambda: run_kortisto(registry, world, k=10)))
        for name, seconds in instrumented_pass(registry, world).items():
            times[name].append(seconds)
        times["baseline: raw rows and counting"].append(
            timed(lambda: baseline_counts(registry, world))
        )
        print(
            f"  round {number + 1}: kortisto {1000 * times['kortisto'][-1]:.0f} ms,"
            f" baseline {1000 * times['baseline'][-1]:.0f} ms",
            flush=True,
        )
    return times


def report(times: dict[str, list[float]]) -> None:
    def line(name: str) -> str:
        values = times[name]
        return (
            f"  {name:<48} {1000 * statistics.median(values):7.0f}"
            f"  ({1000 * min(values):.0f}-{1000 * max(values):.0f})"
        )

    rounds = len(times["kortisto"])
    print(f"\n{rounds} rounds, median (min-max) in ms:")
    print("\n".join(line(name) for name in ("kortisto", "baseline", "kortisto at k=10")))
    print("where Kortisto's time goes (an instrumented pass in each round):")
    print("\n".join(line(name) for name in times if name not in SIDE_NAMES))


SIDE_NAMES = ("kortisto", "baseline", "kortisto at k=10")


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with key_directory(args.keep) as keys, bench_database(args.admin_dsn, args.keep) as url:
        database = Database(url, "registry")
        migrations.upgrade("registry", database)
        database.dispose()
        settings = RegistrySettings(database_url=url, data_dir=keys, environment="test")
        registry = Registry.build(settings)
        try:
            world = make_world(registry, args.organisations)
            print(
                f"world: {len(world.districts)} districts, {len(world.categories)} categories,"
                f" a municipality and {len(world.sharing)} organisations sharing with it,"
                " one not sharing"
            )
            print(f"seeding {args.partners} partners and {args.wishes} open wishes ...", flush=True)
            seconds = seed(registry, world, args.partners, args.wishes, args.seed)
            print("seeding: " + ", ".join(f"{name} {s:.1f} s" for name, s in seconds.items()))
            print(counted(registry, world))
            print("verify: " + verify(registry, world))
            times = measure(registry, world, args.rounds, args.warmup)
            report(times)
            kortisto = statistics.median(times["kortisto"])
            baseline = statistics.median(times["baseline"])
            verdict = "met" if kortisto < TARGET_SECONDS else "NOT met"
            print(f"\ntarget under {TARGET_SECONDS:.0f} s: {verdict} ({1000 * kortisto:.0f} ms)")
        finally:
            registry.database.dispose()
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {kortisto / baseline:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--partners", type=int, default=100_000, help="partners to seed")
    parser.add_argument("--wishes", type=int, default=10_000, help="open wishes to seed")
    parser.add_argument(
        "--organisations", type=int, default=5, help="organisations sharing with the municipality"
    )
    parser.add_argument("--rounds", type=int, default=9, help="measured rounds")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument("--seed", type=int, default=20261125, help="seed of the generated rows")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--keep", action="store_true", help="keep the database and the key file")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
