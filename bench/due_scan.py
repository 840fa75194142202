"""Claim: the due scan claims and enqueues 10,000 due schedules among 1,000,000 quickly,
because it reads only the due rows (a partial index on ``next_due_at`` of the active
schedules, ``FOR UPDATE SKIP LOCKED`` in batches) and writes their deliveries in bulk. The
baseline is the naive scan: load every schedule, filter the due ones in Python, write the
deliveries through the ORM in one transaction, then queue the ready ones.

One run, on its own throw-away PostgreSQL database (``kortisto_bench_<random>``, dropped at
the end) and a temporary master key file:

1. migrates the reminders schema; creates ``--organisations`` organisations (no quiet
   hours, so the time of day does not change what is queued) with 25 staff members each
   (contacts sealed through reminders' keyring; 20 % want a daily digest, 10 % no e-mail);
2. seeds ``--schedules`` schedules with COPY (upkeep 50 %, stale card 20 %, birthday
   greeting 10 %, consent renewal 10 %, referral follow-up 10 %, and the staff digests),
   ``--due`` of them due in the last three days and the rest in the next two years, 5 % of
   the rest done or cancelled, and ``--history`` sent deliveries of the past year, so that
   the deliveries table and its unique idempotency keys are not empty;
3. runs, for ``--rounds`` rounds with the order alternating, the real ``run_due_scan``
   (batches of ``--batch``, the service's default) with a counting enqueue, and the
   baseline, restoring the due schedules and removing the new deliveries (then VACUUM
   ANALYZE) before every run; checks that both sides write the same deliveries (by
   idempotency key, kind, channel, recipient and status) and move the same schedules on;
4. times Celery's ``send_task`` of the same number of ids to a queue nobody consumes on the
   machine's Redis (``--redis``; empty to skip), which is what the real task adds on top;
5. splits one more Kortisto scan by statement, and prints last ``ratio: X`` = Kortisto
   median / baseline median.

    uv run python bench/due_scan.py                                   # 1,000,000: 7-10 minutes
    uv run python bench/due_scan.py --schedules 100000 --due 1000     # quick check: 30 s

Results and what they mean: docs/performance.md, "Reminders: due scan".
"""

import argparse
import io
import json
import random
import secrets
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

import psycopg
from sqlalchemy import Engine, event, select, text

from bench.throwaway import ADMIN_DSN, bench_database, key_directory, libpq_dsn
from services.reminders.deliveries.models import Delivery, DeliveryStatus, Notification
from services.reminders.deliveries.service import (
    BatchContext,
    Occurrence,
    _advance,
    _rows_for,
    run_due_scan,
)
from services.reminders.organisations.models import OrganisationClock
from services.reminders.people.models import StaffMember
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule, ScheduleKind, ScheduleStatus
from services.reminders.schedules.service import policy
from services.reminders.settings import RemindersSettings
from shared import migrations
from shared.crypto.documents import seal_document
from shared.database import utcnow

STAFF_PER_ORGANISATION = 25
KINDS: tuple[tuple[str, int, dict[str, Any]], ...] = (
    (ScheduleKind.upkeep.value, 50, {"every_days": 14}),
    (ScheduleKind.stale_card.value, 20, {"every_days": 30}),
    (ScheduleKind.greeting.value, 10, {"every": "year"}),
    (ScheduleKind.consent_renewal.value, 10, {}),
    (ScheduleKind.referral_follow_up.value, 10, {}),
)
SIDES = ("kortisto", "baseline")


# --- database -------------------------------------------------------------------------------


# --- seeding --------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed_people(reminders: Reminders, organisations: int, rng: random.Random) -> list[list[Any]]:
    """Organisations without quiet hours and their staff, contacts sealed for real; returns
    per organisation its id and its staff's user ids."""
    found = []
    with reminders.database.session() as session:
        for number in range(organisations):
            organisation_id = _uuid(rng)
            session.add(
                OrganisationClock(
                    organisation_id=organisation_id,
                    timezone="Europe/Helsinki",
                    quiet_start=clock_time(0),
                    quiet_end=clock_time(0),
                )
            )
            staff = []
            for member in range(STAFF_PER_ORGANISATION):
                user_id = _uuid(rng)
                contact = {
                    "email": f"staff-{number}-{member}@example.org",
                    "name": f"Staff {number}-{member}",
                    "locale": rng.choice(("fi", "en")),
                }
                session.add(
                    StaffMember(
                        user_id=user_id,
                        organisation_id=organisation_id,
                        roles=["staff"],
                        contact_encrypted=seal_document(
                            reminders.keyring,
                            session,
                            organisation_id=organisation_id,
                            subject_id=user_id,
                            table="staff_members",
                            row_id=f"{organisation_id}:{user_id}",
                            document=contact,
                        ),
                        digest=member % 5 == 0,
                        email_reminders=member % 10 != 1,
                    )
                )
                staff.append(user_id)
            found.append([organisation_id, staff])
    return found


def _ts(moment: datetime) -> str:
    return moment.isoformat()


SCHEDULE_COLUMNS = (
    "id, organisation_id, kind, subject_id, assignee_user_id, next_due_at, rule, status, "
    "created_at, updated_at"
)
DELIVERY_COLUMNS = (
    "id, organisation_id, idempotency_key, schedule_id, kind, subject_id, recipient_kind, "
    "recipient_id, channel, due_at, send_after, status, attempts, last_error, queued_at, "
    "sent_at, digest_id, created_at"
)


def schedule_lines(
    count: int, due: int, people: list[list[Any]], rng: random.Random, now: datetime
) -> Iterator[str]:
    """COPY lines; the first ``due`` are due (in the last three days), the rest later."""
    weights = [w for _, w, _ in KINDS]
    digests = [
        (organisation_id, user_id)
        for organisation_id, staff in people
        for index, user_id in enumerate(staff)
        if index % 5 == 0
    ]
    created = _ts(now - timedelta(days=400))
    for number in range(count):
        organisation_id, staff = people[number % len(people)]
        if number < len(digests):  # each digest-wanting staff member's daily digest
            organisation_id, user_id = digests[number]
            kind, subject, assignee, rule = (
                "digest",
                f"{user_id}:{organisation_id}",
                user_id,
                {"every_days": 1},
            )
        else:
            kind, _, rule = rng.choices(KINDS, weights)[0]
            subject = _uuid(rng)
            assignee = None if kind == ScheduleKind.greeting.value else rng.choice(staff)
        if number < due:
            due_at = now - timedelta(hours=1 + rng.random() * 71)
            status = ScheduleStatus.active.value
        else:
            due_at = now + timedelta(hours=2 + rng.random() * 2 * 365 * 24)
            roll = rng.random()
            status = (
                ScheduleStatus.done.value
                if roll < 0.03
                else ScheduleStatus.cancelled.value
                if roll < 0.05
                else ScheduleStatus.active.value
            )
        yield (
            "\t".join(
                (
                    _uuid(rng),
                    organisation_id,
                    kind,
                    subject,
                    assignee or "\\N",
                    _ts(due_at),
                    json.dumps(rule),
                    status,
                    created,
                    created,
                )
            )
            + "\n"
        )


def history_lines(
    count: int, people: list[list[Any]], rng: random.Random, now: datetime
) -> Iterator[str]:
    """Sent deliveries of the past year, as the scan and the sender leave them, and one
    e-mail held for each digest (so every due digest has something to carry)."""
    for organisation_id, staff in people:
        for user_id in staff[::5]:
            stamp = _ts(now - timedelta(hours=20))
            schedule_id = _uuid(rng)
            yield (
                "\t".join(
                    (
                        _uuid(rng),
                        organisation_id,
                        f"{schedule_id}:{stamp}:email",
                        schedule_id,
                        ScheduleKind.upkeep.value,
                        _uuid(rng),
                        "staff",
                        user_id,
                        "email",
                        stamp,
                        stamp,
                        DeliveryStatus.held.value,
                        "0",
                        "\\N",
                        "\\N",
                        "\\N",
                        "\\N",
                        stamp,
                    )
                )
                + "\n"
            )
    for _ in range(count):
        organisation_id, staff = rng.choice(people)
        kind = rng.choice((ScheduleKind.upkeep.value, ScheduleKind.stale_card.value))
        schedule_id, subject = _uuid(rng), _uuid(rng)
        due_at = now - timedelta(hours=72 + rng.random() * 365 * 24)
        channel = rng.choice(("in_app", "email"))
        stamp = _ts(due_at)
        yield (
            "\t".join(
                (
                    _uuid(rng),
                    organisation_id,
                    f"{schedule_id}:{stamp}:{channel}",
                    schedule_id,
                    kind,
                    subject,
                    "staff",
                    rng.choice(staff),
                    channel,
                    stamp,
                    stamp,
                    DeliveryStatus.sent.value,
                    "1" if channel == "email" else "0",
                    "\\N",
                    stamp if channel == "email" else "\\N",
                    stamp,
                    "\\N",
                    stamp,
                )
            )
            + "\n"
        )


def copy_lines(conn: psycopg.Connection, table: str, columns: str, lines: Iterator[str]) -> None:
    buffer = io.StringIO()
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for number, line in enumerate(lines, 1):
            buffer.write(line)
            if number % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def seed(reminders: Reminders, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    now = utcnow()
    started = time.perf_counter()
    people = seed_people(reminders, args.organisations, rng)
    dsn = libpq_dsn(reminders.database.url)
    with psycopg.connect(dsn) as conn:
        copy_lines(
            conn,
            "reminders.schedules",
            SCHEDULE_COLUMNS,
            schedule_lines(args.schedules, args.due, people, rng, now),
        )
        copy_lines(
            conn,
            "reminders.deliveries",
            DELIVERY_COLUMNS,
            history_lines(args.history, people, rng, now),
        )
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        # What every run starts from: the due schedules as they were seeded.
        conn.execute("CREATE SCHEMA bench")
        conn.execute(
            "CREATE TABLE bench.original AS SELECT id, next_due_at, status FROM "
            "reminders.schedules WHERE status = 'active' AND next_due_at <= now()"
        )
        due = conn.execute("SELECT count(*) FROM bench.original").fetchone()
    seconds = time.perf_counter() - started
    print(
        f"seeded {args.organisations} organisations, "
        f"{args.organisations * STAFF_PER_ORGANISATION} staff, {args.schedules:,} schedules "
        f"({due[0] if due else 0:,} due) and {args.history:,} past deliveries in {seconds:.1f} s"
    )
    print(sizes(reminders.database.engine))


def sizes(engine: Engine) -> str:
    found = []
    with engine.connect() as conn:
        for table in ("reminders.schedules", "reminders.deliveries"):
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            found.append(f"{table} {rows:,} rows {size / 2**20:.0f} MB with indexes")
    return "tables: " + ", ".join(found)


def reset(reminders: Reminders, mark: datetime) -> None:
    """The due schedules as seeded again, the deliveries a run wrote gone."""
    with psycopg.connect(libpq_dsn(reminders.database.url), autocommit=True) as conn:
        conn.execute(
            "UPDATE reminders.schedules s SET next_due_at = o.next_due_at, status = o.status "
            "FROM bench.original o WHERE s.id = o.id"
        )
        conn.execute("DELETE FROM reminders.notifications WHERE created_at >= %s", (mark,))
        conn.execute("DELETE FROM reminders.deliveries WHERE created_at >= %s", (mark,))
        conn.execute(
            "VACUUM ANALYZE reminders.schedules, reminders.deliveries, reminders.notifications"
        )


# --- the two sides --------------------------------------------------------------------------


class Counting:
    """The enqueue: counts ids instead of sending them."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def __call__(self, ids: list[str]) -> None:
        self.ids.extend(ids)


def kortisto(reminders: Reminders, batch: int) -> tuple[int, int]:
    enqueue = Counting()
    fell_due = run_due_scan(reminders.database, batch, enqueue)
    return fell_due, len(enqueue.ids)


def baseline(reminders: Reminders, timings: dict[str, float] | None = None) -> tuple[int, int]:
    """Every schedule loaded, the due ones found in Python, the same deliveries written
    through the ORM (with the service's own ``_rows_for`` and ``_advance``), the ready ones
    marked queued, one transaction."""
    enqueue = Counting()
    started = time.perf_counter()
    with reminders.database.session() as session:
        everything = list(session.scalars(select(Schedule)))
        loaded = time.perf_counter()
        now = utcnow()
        due = sorted(
            (
                s
                for s in everything
                if s.status == ScheduleStatus.active.value and s.next_due_at <= now
            ),
            key=lambda s: s.next_due_at,
        )
        filtered = time.perf_counter()
        written: list[Delivery] = []
        for schedule in due:
            zone = policy(session, schedule.organisation_id).timezone
            # what the scan needs, looked up for each schedule on its own
            context = BatchContext.load(session, [schedule])
            occurrence = Occurrence(schedule, schedule.next_due_at)
            for row in _rows_for(session, context, occurrence):
                delivery = Delivery(**row)
                session.add(delivery)
                written.append(delivery)
                if row["channel"] == "in_app":
                    session.add(
                        Notification(
                            delivery_id=row["id"],
                            organisation_id=row["organisation_id"],
                            user_id=row["recipient_id"],
                            kind=row["kind"],
                            subject_id=row["subject_id"],
                            due_at=row["due_at"],
                        )
                    )
            _advance(schedule, zone, now)
        session.flush()
        ready = [
            d
            for d in written
            if d.status == DeliveryStatus.pending.value and d.send_after <= utcnow()
        ]
        for delivery in ready:
            delivery.status = DeliveryStatus.queued.value
            delivery.queued_at = now
        session.flush()
        written_at = time.perf_counter()
    enqueue([d.id for d in ready])
    if timings is not None:
        timings["load every schedule (ORM)"] = loaded - started
        timings["filter in Python"] = filtered - loaded
        timings["write deliveries, move schedules on, commit"] = time.perf_counter() - filtered
        timings["(of which after the last flush: commit)"] = time.perf_counter() - written_at
    return len(due), len(enqueue.ids)


def outcome(reminders: Reminders, mark: datetime) -> tuple[str, str, Counter[str]]:
    """What a run left: a digest of the new deliveries and of the due schedules (each one
    done or moved past now), and the new deliveries by channel and status."""
    with reminders.database.engine.connect() as conn:
        deliveries = conn.execute(
            text(
                "SELECT md5(string_agg(idempotency_key || kind || channel || recipient_id || "
                "status, ',' ORDER BY idempotency_key)) FROM reminders.deliveries "
                "WHERE created_at >= :mark"
            ),
            {"mark": mark},
        ).scalar_one()
        schedules = conn.execute(
            text(
                # Moved on (or done), not the exact next time: `_advance` counts from `now`,
                # which differs by minutes between runs.
                "SELECT md5(string_agg(s.id || s.status || (s.next_due_at > now())::text, "
                "',' ORDER BY s.id)) FROM reminders.schedules s JOIN bench.original o USING (id)"
            )
        ).scalar_one()
        counts = Counter(
            {
                f"{channel}/{status}": n
                for channel, status, n in conn.execute(
                    text(
                        "SELECT channel, status, count(*) FROM reminders.deliveries "
                        "WHERE created_at >= :mark GROUP BY 1, 2"
                    ),
                    {"mark": mark},
                )
            }
        )
    return str(deliveries), str(schedules), counts


# --- where the time goes ---------------------------------------------------------------------


class Statements:
    """Time per kind of SQL statement while instrumented."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: Counter[str] = Counter()
        self._started: list[float] = []

    @staticmethod
    def kind(statement: str) -> str:
        s = " ".join(statement.split()).lower()
        if s.startswith("select") and "from reminders.schedules" in s and "for update" in s:
            return "claim due schedules (SELECT ... FOR UPDATE SKIP LOCKED)"
        if s.startswith("select") and "from reminders.deliveries" in s and "for update" in s:
            return "claim ready deliveries (SELECT ... FOR UPDATE SKIP LOCKED)"
        if s.startswith("insert into reminders.deliveries"):
            return "insert deliveries (ON CONFLICT DO NOTHING)"
        if s.startswith("insert into reminders.notifications"):
            return "insert notifications"
        if s.startswith("update reminders.schedules"):
            return "move schedules on (UPDATE)"
        if s.startswith("update reminders.deliveries"):
            return "mark deliveries queued (UPDATE)"
        if "count(*)" in s:
            return "digest: count held deliveries"
        if "from reminders.staff_members" in s or "from reminders.organisation_clocks" in s:
            return "staff members and clocks (get)"
        return "other SQL"

    @contextmanager
    def instrument(self, engine: Engine) -> Iterator[None]:
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self._started.append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            kind = self.kind(statement)
            self.seconds[kind] += time.perf_counter() - self._started.pop()
            self.count[kind] += 1

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)


def breakdown(reminders: Reminders, batch: int) -> list[str]:
    statements = Statements()
    with statements.instrument(reminders.database.engine):
        started = time.perf_counter()
        kortisto(reminders, batch)
        total = time.perf_counter() - started
    lines = [f"  {'component':<60} {'s':>6} {'share':>6} {'statements':>10}"]
    for name, seconds in sorted(statements.seconds.items(), key=lambda item: -item[1]):
        lines.append(
            f"  {name:<60} {seconds:6.2f} {100 * seconds / total:5.1f}% {statements.count[name]:10}"
        )
    rest = total - sum(statements.seconds.values())
    lines.append(
        f"  {'Python (ORM, rows, _rows_for, _advance) and commits':<60} {rest:6.2f} "
        f"{100 * rest / total:5.1f}%"
    )
    lines.append(f"  {'total':<60} {total:6.2f}")
    return lines


def enqueue_cost(redis_url: str, count: int) -> str:
    """Celery's send_task of ``count`` ids, as the real scan task enqueues them, to a queue
    of this run's own that nobody consumes (deleted afterwards)."""
    import redis

    from services.reminders.worker import create_celery

    queue = f"bench-due-scan-{secrets.token_hex(4)}"
    app = create_celery(RemindersSettings(broker_url=redis_url, result_backend=redis_url))
    try:
        started = time.perf_counter()
        for number in range(count):
            app.send_task("reminders.deliveries.send", args=[str(number)], queue=queue)
        seconds = time.perf_counter() - started
    finally:
        redis.Redis.from_url(redis_url).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )
        app.close()
    return (
        f"enqueueing {count:,} ids with Celery's send_task to Redis: {seconds:.2f} s "
        f"({1000 * seconds / count:.3f} ms each)"
    )


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    with key_directory(args.keep) as keys, bench_database(args.admin_dsn, args.keep) as url:
        settings = RemindersSettings(database_url=url, data_dir=keys, environment="test")
        reminders = Reminders.build(settings)
        try:
            migrations.upgrade("reminders", reminders.database)
            seed(reminders, args)
            times: dict[str, list[float]] = {side: [] for side in SIDES}
            results: dict[str, set[tuple[str, str, str]]] = {side: set() for side in SIDES}
            enqueued: dict[str, set[int]] = {side: set() for side in SIDES}
            for number in range(1, args.rounds + 1):
                order = SIDES if number % 2 else SIDES[::-1]
                line = []
                for side in order:
                    mark = utcnow()
                    began = time.perf_counter()
                    if side == "kortisto":
                        fell_due, queued = kortisto(reminders, args.batch)
                    else:
                        fell_due, queued = baseline(reminders)
                    seconds = time.perf_counter() - began
                    times[side].append(seconds)
                    deliveries, schedules, counts = outcome(reminders, mark)
                    results[side].add((deliveries, schedules, str(sorted(counts.items()))))
                    enqueued[side].add(queued)
                    line.append(f"{side} {seconds:.2f} s ({fell_due:,} due, {queued:,} queued)")
                    reset(reminders, mark)
                print(f"  round {number}: " + ", ".join(line), flush=True)
            same = results["kortisto"] == results["baseline"] and len(results["kortisto"]) == 1
            print(
                "check: both sides wrote the same deliveries and moved the same schedules on: "
                + ("yes" if same else f"NO {results}")
            )
            print(f"  new deliveries by channel/status: {next(iter(results['kortisto']))[2]}")
            mark = utcnow()
            lines = breakdown(reminders, args.batch)
            reset(reminders, mark)
            timings: dict[str, float] = {}
            baseline(reminders, timings)
            reset(reminders, mark)
        finally:
            reminders.database.dispose()
    medians = {side: statistics.median(times[side]) for side in SIDES}
    queued = max(enqueued["kortisto"])
    print(f"\nclaiming and queueing {args.due:,} due among {args.schedules:,} schedules,")
    print(f"median of {args.rounds} rounds (all rounds):")
    for side in SIDES:
        rounds = " ".join(f"{t:.2f}" for t in times[side])
        print(
            f"  {side:<9} {medians[side]:7.2f} s  ({rounds})  "
            f"{args.due / medians[side]:,.0f} schedules/s"
        )
    print("\nwhere a Kortisto scan's time goes (one instrumented run):")
    print("\n".join(lines))
    print("the baseline, one more run:")
    for name, seconds in timings.items():
        print(f"  {name:<60} {seconds:6.2f}")
    if args.redis:
        print("\n" + enqueue_cost(args.redis, queued))
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {medians['kortisto'] / medians['baseline']:.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schedules", type=int, default=1_000_000, help="schedules to seed")
    parser.add_argument("--due", type=int, default=10_000, help="of which due now")
    parser.add_argument("--history", type=int, default=500_000, help="past sent deliveries")
    parser.add_argument("--organisations", type=int, default=20, help="25 staff members each")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per side")
    parser.add_argument(
        "--batch", type=int, default=RemindersSettings().due_scan_batch, help="scan batch"
    )
    parser.add_argument("--seed", type=int, default=20261123, help="seed of the generated rows")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="Redis for timing the enqueue (a queue of the run's own; empty: skip)",
    )
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--keep", action="store_true", help="keep the database and the key file")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
