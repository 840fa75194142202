"""Claim: events per second from the registry's outbox to applied in matching and reminders,
through the relay, the broker and a real Celery worker, against a baseline of the same
events applied in this process by the consumers' own functions (``tasks.apply``), one event
per unit of work, with no relay, broker or worker in between.

One run, on one setup:

- default: PostgreSQL (a throw-away database ``kortisto_bench_<random>`` for the three
  services and another for the baseline's copies of matching and reminders, both dropped at
  the end) with Redis as broker and result store (``--redis``). The worker's queues are the
  stack's own (``registry``, ``matching``, …), since tasks are routed by name: point
  ``--redis`` at a database no running stack uses;
- ``--sqlite``: the embedded default, a SQLite file per service and the SQLite Celery broker
  and results, in a temporary folder (the baseline's copies in a folder of their own).

What the run does:

1. migrates the three services (and the baseline's matching and reminders), and starts the
   worker as ``kortisto up`` does: ``celery -A services.reminders.worker worker -Q
   registry,matching,reminders,deliveries --concurrency 2``, with the service's settings;
2. warms up: imports ``--warmup`` citizens through the registry's import endpoint (in this
   process, committing), relays them through the worker and waits until both consumers
   have them, and applies the same events to the baseline's copies (the organisation's
   keys made, matching's vocabularies loaded on both sides);
3. imports ``--partners`` citizens with consent to the file, the team and matching, so that
   each `partner.upserted` carries a card sealed for matching and one for reminders. No beat
   runs: the registry's outbox keeps their events (`partner.upserted` and
   `consent.changed`, two per partner) unsent;
4. baseline: every one of those events applied to the baseline's matching and then to its
   reminders with ``tasks.apply``, one unit of work each, timed;
5. Kortisto: sends one ``registry.events.relay`` task and times until both consumers have
   recorded that many more events in ``processed_events``; then checks that each event was
   applied once (one row per event id in each consumer, every partner in matching's index);
6. prints events per second for both sides and, last, ``ratio: X`` = Kortisto / baseline.

``--stack`` measures something else: the embedded stack as a user starts it (``kortisto up``
on a temporary folder and free ports, demo data included), the demo admin importing
``--partners`` partners through the registry's API, and the seconds from the import request
until every one of them is in matching's index (read from ``matching.db``): beat's relay
tick (every ``KORTISTO_RELAY_SECONDS``, 5 s) included. The ratio there is that time over
the import request's own.

    uv run python bench/events.py                      # PostgreSQL + Redis, 2,000 partners
    uv run python bench/events.py --sqlite             # the embedded default
    uv run python bench/events.py --stack              # 1,000 partners through kortisto up

Results and what they mean: docs/performance.md, "Events: outbox to consumers".
"""

import argparse
import csv
import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throwaway import (
    ADMIN_DSN,
    ROOT,
    bench_database,
    process_group,
    reference_data_dir,
)

SERVICES = ("registry", "matching", "reminders")
QUEUES = "registry,matching,reminders,deliveries"
LOGIN = {"email": "bench@example.org", "password": "a long enough password"}
SKILLS = ["leipominen", "kävelyseura", "neulominen", "ruoanlaitto", "digituki", "laulu"]
HEADER = [
    "Nimi",
    "Tyyppi",
    "Sähköposti",
    "Taidot",
    "Suostumus: kortisto",
    "Suostumus: tiimi",
    "Suostumus: ehdotukset",
]
IMPORT_FORM = {"dry_run": "false", "consent_method": "written", "consent_information_version": "v1"}


def partners_csv(rows: int, first: int = 0) -> bytes:
    """Citizens with a skill pair each and consent to the file, the team and matching."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for n in range(first, first + rows):
        skills = f"{SKILLS[n % len(SKILLS)]}, {SKILLS[(n + 1) % len(SKILLS)]}"
        writer.writerow(
            [f"Kumppani {n}", "kansalainen", f"kumppani.{n}@example.org", skills, *["kyllä"] * 3]
        )
    return ("\ufeff" + out.getvalue()).encode()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- events per second ----------------------------------------------------------------------


def common(folder: Path) -> dict[str, Any]:
    """Settings of the services in this process."""
    return {
        "data_dir": folder,
        "environment": "test",
        "reference_data_dir": reference_data_dir(),
        "log_level": "WARNING",
    }


class Publisher:
    """The registry on the run's database: an organisation, a staff login, imports through
    its endpoint, and the events its outbox holds unsent."""

    def __init__(self, url: str, folder: Path) -> None:
        from services.registry.identity import service as identity
        from services.registry.identity.models import OrganisationKind
        from services.registry.identity.schemas import OrganisationIn, UserIn
        from services.registry.runtime import Registry as Runtime
        from services.registry.settings import RegistrySettings
        from shared import migrations

        self.settings = RegistrySettings(database_url=url, **common(folder))
        self.runtime = Runtime.build(self.settings)
        migrations.upgrade("registry", self.runtime.database)
        with self.runtime.database.session() as session:
            organisation = identity.create_organisation(
                session, OrganisationIn(name="Bench ry", kind=OrganisationKind.association), "b"
            )
            user = UserIn(
                email=LOGIN["email"], display_name="B", password=LOGIN["password"], roles=["staff"]
            )
            identity.create_user(session, self.runtime, organisation.id, user, "bench")
        self.first = 0

    def import_partners(self, count: int) -> float:
        """Seconds the import request took."""
        from fastapi.testclient import TestClient

        from services.registry.app import create_app

        with TestClient(create_app(self.settings)) as client:
            token = client.post("/auth/login", json=LOGIN).json()["access_token"]
            started = time.perf_counter()
            done = client.post(
                "/imports/partners",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("partners.csv", partners_csv(count, self.first), "text/csv")},
                data=IMPORT_FORM,
            )
            seconds = time.perf_counter() - started
        if done.status_code != 201:
            raise SystemExit(f"import failed: {done.status_code} {done.text[:2000]}")
        self.first += count
        return seconds

    def unsent(self) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from services.registry.models import outbox
        from shared.events import Event

        with self.runtime.database.session() as session:
            rows = session.execute(
                select(outbox.c.id, outbox.c.type, outbox.c.payload)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.created_at)
            ).all()
        return [Event(r.id, "registry", r.type, r.payload).as_message() for r in rows]


class Consumers:
    """Matching and reminders on the given databases, migrated, as a worker holds them."""

    def __init__(self, urls: dict[str, str], folder: Path) -> None:
        from services.matching.runtime import Matching
        from services.matching.settings import MatchingSettings
        from services.reminders.runtime import Reminders
        from services.reminders.settings import RemindersSettings
        from shared import migrations

        self.matching = Matching.build(
            MatchingSettings(database_url=urls["matching"], **common(folder))
        )
        self.reminders = Reminders.build(
            RemindersSettings(database_url=urls["reminders"], **common(folder))
        )
        migrations.upgrade("matching", self.matching.database)
        migrations.upgrade("reminders", self.reminders.database)

    def apply_each(self, messages: list[dict[str, Any]]) -> float:
        """The baseline: seconds to apply every message to matching, then to reminders, one
        event per unit of work (``tasks.apply``), here."""
        from services.matching import tasks as matching_tasks
        from services.reminders import tasks as reminders_tasks

        self.matching.analyzer  # noqa: B018 - loaded before the clock starts, as a worker has it
        started = time.perf_counter()
        for message in messages:
            matching_tasks.apply(self.matching, message)
        for message in messages:
            reminders_tasks.apply(self.reminders, message)
        return time.perf_counter() - started

    def applied(self, ids: set[str]) -> dict[str, int]:
        """Rows in each consumer's ``processed_events`` for ``ids``; partners indexed."""
        from sqlalchemy import func, select

        from services.matching.index.models import IndexedPartner
        from services.matching.models import processed_events as matching_processed
        from services.reminders.models import processed_events as reminders_processed

        counts = {}
        for name, runtime, table in (
            ("matching", self.matching, matching_processed),
            ("reminders", self.reminders, reminders_processed),
        ):
            with runtime.database.session() as session:
                found = session.scalars(select(table.c.event_id)).all()
                counts[name] = sum(1 for event_id in found if event_id in ids)
                counts[f"{name} distinct"] = len(set(found) & ids)
        with self.matching.database.session() as session:
            count = session.scalar(select(func.count()).select_from(IndexedPartner))
            counts["indexed"] = int(count or 0)
        return counts

    def dispose(self) -> None:
        self.matching.database.dispose()
        self.reminders.database.dispose()


@contextmanager
def worker(urls: dict[str, str], folder: Path, redis: str | None) -> Iterator[Any]:
    """A worker as ``kortisto up`` starts it, ready; yields the Celery app to send with."""
    from services.reminders.settings import RemindersSettings
    from services.reminders.worker import create_celery

    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env |= {
        "KORTISTO_ENVIRONMENT": "test",
        "KORTISTO_DATA_DIR": str(folder),
        "KORTISTO_REFERENCE_DATA_DIR": str(reference_data_dir()),
    }
    env |= {f"KORTISTO_{name.upper()}_DATABASE_URL": urls[name] for name in SERVICES}
    if redis:
        env |= {"KORTISTO_BROKER_URL": redis, "KORTISTO_RESULT_BACKEND": redis}
    app = create_celery(
        RemindersSettings(data_dir=folder, broker_url=redis or "", result_backend=redis or "")
    )
    command = [
        "-m", "celery", "-A", "services.reminders.worker", "worker", "-Q", QUEUES,
        "--concurrency", "2", "--hostname", "bench-events@%h", "--loglevel", "INFO",
    ]  # fmt: skip
    log = folder / "worker.log"
    with process_group(command, env, log):
        wait_for(lambda: b"ready" in log.read_bytes(), 120, "the worker", 0.2)
        try:
            yield app
        finally:
            app.close()


def processed_count(url: str, schema: str) -> Callable[[], int]:
    """Reads how many events a consumer has recorded, without a lock that would hold its
    worker back (the services' own SQLite sessions take the write lock as they begin)."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def count_file() -> int:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as lite:
                return int(lite.execute("SELECT count(*) FROM processed_events").fetchone()[0])

        return count_file

    import psycopg

    from bench.throwaway import libpq_dsn

    def count_table() -> int:
        with psycopg.connect(libpq_dsn(url), autocommit=True) as connection:
            found = connection.execute(f"SELECT count(*) FROM {schema}.processed_events")
            return int(found.fetchone()[0])  # type: ignore[index]

    return count_table


def relayed(app: Any, urls: dict[str, str], events: int, timeout: float) -> dict[str, float]:
    """Sends one relay task; seconds until each consumer had recorded ``events`` more."""
    counts = {name: processed_count(urls[name], name) for name in ("matching", "reminders")}
    wanted = {name: count() + events for name, count in counts.items()}
    started = time.perf_counter()
    app.send_task("registry.events.relay")
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(counts):
        for name, count in counts.items():
            if name not in done and count() >= wanted[name]:
                done[name] = time.perf_counter() - started
        if time.monotonic() > deadline:
            raise SystemExit(
                f"timed out after {timeout:.0f} s: "
                + ", ".join(f"{n} {c()}/{wanted[n]}" for n, c in counts.items())
            )
        time.sleep(0.05)
    return done


def throughput(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="kortisto-bench-events-"))
        if args.keep:
            print(f"folder {folder}")
        else:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        if args.sqlite:
            (folder / "baseline").mkdir()
            urls = {name: f"sqlite:///{folder / name}.db" for name in SERVICES}
            copies = {name: f"sqlite:///{folder / 'baseline' / name}.db" for name in SERVICES}
            where = "SQLite files, the SQLite Celery broker and results"
            redis = None
        else:
            urls = dict.fromkeys(
                SERVICES, stack.enter_context(bench_database(args.admin_dsn, args.keep))
            )
            copies = dict.fromkeys(
                SERVICES, stack.enter_context(bench_database(args.admin_dsn, args.keep))
            )
            where = f"PostgreSQL, Redis ({args.redis}) as broker and results"
            redis = args.redis
        print(f"{args.partners:,} partners (after {args.warmup:,} to warm up), on {where}")
        registry = Publisher(urls["registry"], folder)
        kortisto, baseline = Consumers(urls, folder), Consumers(copies, folder)
        stack.callback(kortisto.dispose)
        stack.callback(baseline.dispose)
        app = stack.enter_context(worker(urls, folder, redis))

        registry.import_partners(args.warmup)
        warmup = registry.unsent()
        relayed(app, urls, len(warmup), args.timeout)
        baseline.apply_each(warmup)

        seconds = registry.import_partners(args.partners)
        messages = registry.unsent()
        ids = {m["id"] for m in messages}
        print(f"imported {args.partners:,} partners in {seconds:.1f} s: {len(ids):,} events")
        plain = baseline.apply_each(messages)
        print(f"baseline: {len(ids) / plain:,.1f} events/s ({plain:.1f} s)", flush=True)
        done = relayed(app, urls, len(ids), args.timeout)
        seconds = max(done.values())
        print(
            f"kortisto: {len(ids) / seconds:,.1f} events/s ({seconds:.1f} s; "
            + ", ".join(f"{name} had them all after {s:.1f} s" for name, s in done.items())
            + ")"
        )
        time.sleep(1)  # an event applied twice would show now
        counts = kortisto.applied(ids)
        print(
            f"applied: matching {counts['matching']:,} rows for {counts['matching distinct']:,} "
            f"events, reminders {counts['reminders']:,} for {counts['reminders distinct']:,}; "
            f"{counts['indexed']:,} partners in matching's index"
        )
        if counts["matching"] != len(ids) or counts["reminders"] != len(ids):
            raise SystemExit("an event was not applied exactly once")
        if counts["indexed"] != args.partners + args.warmup:
            raise SystemExit("not every partner is in matching's index")
    rates = {"kortisto": len(ids) / seconds, "baseline": len(ids) / plain}
    print(f"\n{len(ids):,} events from the registry's outbox to matching and reminders:")
    print(f"  kortisto  {rates['kortisto']:8,.1f} events/s (relay, broker, worker, 2 processes)")
    print(f"  baseline  {rates['baseline']:8,.1f} events/s (tasks.apply, one at a time, here)")
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {rates['kortisto'] / rates['baseline']:.2f}")


# --- the embedded stack ---------------------------------------------------------------------


def stack_import(args: argparse.Namespace) -> None:
    """``kortisto up``, an import of ``--partners`` through the API, and the time until
    matching's index holds them all."""
    from kortisto.demo import DEMO_LOGINS, DEMO_PASSWORD

    folder = Path(tempfile.mkdtemp(prefix="kortisto-bench-stack-"))
    data_dir = folder / "var"
    ports = {name: free_port() for name in ("portal", "registry", "matching", "reminders")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env |= {f"KORTISTO_{n.upper()}_URL": f"http://127.0.0.1:{p}" for n, p in ports.items()}
    env |= {
        "KORTISTO_DATA_DIR": str(data_dir),
        "KORTISTO_REFERENCE_DATA_DIR": str(reference_data_dir()),
    }
    log = folder / "stack.log"
    registry = f"http://127.0.0.1:{ports['registry']}"

    def indexed(ids: list[str]) -> int:
        """How many of ``ids`` matching's index holds."""
        with sqlite3.connect(f"file:{data_dir / 'matching.db'}?mode=ro", uri=True) as lite:
            lite.execute("CREATE TEMP TABLE wanted (partner_id TEXT PRIMARY KEY)")
            lite.executemany("INSERT INTO wanted VALUES (?)", [(i,) for i in ids])
            query = "SELECT count(*) FROM indexed_partners JOIN wanted USING (partner_id)"
            return int(lite.execute(query).fetchone()[0])

    try:
        stack = subprocess.Popen(
            [sys.executable, "-m", "kortisto.cli", "up"],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            began = time.perf_counter()
            wait_for(lambda: b"Kortisto is running" in log.read_bytes(), 180, "the stack", 0.2)
            print(f"kortisto up: running after {time.perf_counter() - began:.1f} s")
            admin = DEMO_LOGINS[0].email
            login = {"email": admin, "password": DEMO_PASSWORD}
            token = httpx.post(f"{registry}/auth/login", json=login).json()["access_token"]
            started = time.perf_counter()
            done = httpx.post(
                f"{registry}/imports/partners",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("partners.csv", partners_csv(args.partners), "text/csv")},
                data=IMPORT_FORM,
                timeout=600,
            )
            imported = time.perf_counter() - started
            if done.status_code != 201:
                raise SystemExit(f"import failed: {done.status_code} {done.text[:2000]}")
            print(f"import of {args.partners:,} partners answered in {imported:.1f} s", flush=True)
            ids = [row["partner_id"] for row in done.json()["rows"]]
            wait_for(
                lambda: indexed(ids) == args.partners,
                args.timeout,
                f"{args.partners:,} partners in matching's index",
                0.1,
            )
            seconds = time.perf_counter() - started
        finally:
            stack.send_signal(signal.SIGINT)
            stack.wait(60)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{args.partners:,} imported partners on the embedded stack (kortisto up):")
    print(f"  all in matching's index {seconds:6.1f} s after the import request")
    print(f"  the import request      {imported:6.1f} s")
    print(f"ratio: {seconds / imported:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--partners", type=int, help="2,000 (1,000 with --stack)")
    parser.add_argument("--warmup", type=int, default=200, help="partners before measuring")
    parser.add_argument("--sqlite", action="store_true", help="the embedded default's files")
    parser.add_argument("--stack", action="store_true", help="kortisto up and an import")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait at most")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="broker and results of PostgreSQL runs: a database no running stack uses",
    )
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the folder")
    args = parser.parse_args(argv)
    if args.stack:
        args.partners = args.partners or 1000
        stack_import(args)
    else:
        args.partners = args.partners or 2000
        throughput(args)


if __name__ == "__main__":
    main()
