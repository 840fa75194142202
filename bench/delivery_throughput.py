"""Claim: e-mail deliveries per minute per worker process, through a real Celery worker
(``--concurrency 1``) sending to a local SMTP server, against a baseline of plain smtplib
sending the same messages in a loop in one process.

One run, on its own throw-away PostgreSQL database (``kortisto_bench_<random>``, dropped at
the end), a temporary master key file, and a queue of its own on the machine's Redis
(``--redis``; nobody else consumes it, and it is deleted at the end):

1. migrates the reminders schema and applies ``--deliveries`` `partner.upserted` events
   through ``tasks.apply`` (active partners with `greetings` consent, an e-mail address and a
   birthday today, the document sealed for reminders as the registry seals it), makes their
   greetings due and runs the real ``run_due_scan``: that many e-mail deliveries, `queued`;
2. starts an SMTP server (aiosmtpd, in a child process of its own, counting messages and
   distinct Message-IDs) and a worker, ``celery -A services.reminders.worker worker
   --concurrency 1 -Q <the run's queue>``, with the service's settings (late acknowledgement,
   prefetch 1, results in Redis), and warms it up with ``--warmup`` deliveries;
3. for ``--rounds`` rounds, with the order alternating: Kortisto = sending the task
   ``reminders.deliveries.send`` for every delivery and timing until all are `sent` in the
   database; baseline = the same messages (built beforehand with the service's
   ``messages.compose``) sent with ``smtplib`` over one connection in a loop. Before each
   Kortisto round the deliveries are `queued` again;
4. in every round also times the same deliveries through ``sending.send`` in this process
   (no Celery), split into SMTP, SQL and the rest, and a loop that opens one SMTP
   connection per message as the service's mailer does; prints last ``ratio: X`` =
   Kortisto per minute / baseline per minute (medians).

    uv run python bench/delivery_throughput.py                    # 1,000 per round: 1.5-3.5 min
    uv run python bench/delivery_throughput.py --deliveries 200   # quick check: 20-40 s
    uv run python bench/delivery_throughput.py --pool solo        # the worker without prefork

Results and what they mean: docs/performance.md, "Reminders: delivery throughput".
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as clock_time
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import event, func, select, update

from bench.throwaway import ADMIN_DSN, bench_database, process_group
from services.reminders.deliveries import messages, sending
from services.reminders.deliveries.mailer import SmtpMailer
from services.reminders.deliveries.models import Delivery, DeliveryStatus
from services.reminders.deliveries.service import run_due_scan
from services.reminders.organisations.models import OrganisationClock
from services.reminders.people.service import partner_document
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule, ScheduleKind
from services.reminders.settings import RemindersSettings
from services.reminders.tasks import SEND, apply
from services.reminders.worker import create_celery
from shared import migrations
from shared.crypto import seal_for
from shared.database import utcnow

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Europe/Helsinki"
DOMAIN = "bench.kortisto.test"
SIDES = ("kortisto", "baseline")


# --- the SMTP server, in a child process ------------------------------------------------------


def sink_main(port: int, report: Path) -> None:
    """Counts what arrives until SIGTERM, then writes the counts to ``report``."""
    from aiosmtpd.controller import Controller

    received: list[str] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            headers = BytesHeaderParser(policy=default).parsebytes(envelope.content)
            received.append(str(headers["Message-ID"]).strip())
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    controller.stop()
    report.write_text(json.dumps({"received": len(received), "distinct": len(set(received))}))


@contextmanager
def smtp_sink(folder: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    report = folder / "sink.json"
    child = subprocess.Popen(
        [sys.executable, __file__, "--sink-port", str(port), "--sink-report", str(report)],
        cwd=ROOT,
    )
    try:
        wait_for(lambda: smtp_up(port), 20, "the SMTP server")
        yield port, report
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(20)


def smtp_up(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
            smtp.noop()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


# --- database and seeding ---------------------------------------------------------------------


@contextmanager
def temporary_folder(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kortisto-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path} (master key, worker log)")
        else:
            shutil.rmtree(path)


def registry_event(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": "registry", "type": kind, "payload": payload}


def seed(reminders: Reminders, count: int) -> list[str]:
    """``count`` greetings due now, scanned into `queued` e-mail deliveries; their ids."""
    organisation_id = str(uuid.uuid4())
    apply(
        reminders,
        registry_event(
            "organisation.created", {"organisation_id": organisation_id, "timezone": TIMEZONE}
        ),
    )
    with reminders.database.session() as session:
        session.execute(
            update(OrganisationClock)
            .where(OrganisationClock.organisation_id == organisation_id)
            .values(quiet_start=clock_time(0), quiet_end=clock_time(0))
        )
    birthday = utcnow().astimezone(ZoneInfo(TIMEZONE)).date().replace(year=1980).isoformat()
    for number in range(count):
        partner_id = str(uuid.uuid4())
        document = {
            "name": f"Kumppani {number}",
            "email": f"partner-{number}@example.org",
            "birthday": birthday,
        }
        payload = {
            "changed_at": utcnow().isoformat(timespec="microseconds"),
            "rebuild_generation": 0,
            "partner_id": partner_id,
            "organisation_id": organisation_id,
            "kind": "citizen",
            "status": "active",
            "district_code": "00530",
            "category_codes": [],
            "tie_strength": "weak",
            "last_contact_on": None,
            "purposes": ["file", "greetings"],
            "valid_until": {},
            "matching": False,
            "responsible_user_id": None,
            "card_updated_on": None,
            "purge_after": None,
            "sealed_reminders": seal_for(
                reminders.keyring.provider, "reminders", partner_id, document
            ),
        }
        apply(reminders, registry_event("partner.upserted", payload))
    with reminders.database.session() as session:
        session.execute(
            update(Schedule)
            .where(Schedule.kind == ScheduleKind.greeting.value)
            .values(next_due_at=utcnow())
        )
    run_due_scan(reminders.database, reminders.settings.due_scan_batch, lambda ids: None)
    with reminders.database.session() as session:
        ids = list(
            session.scalars(
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.queued.value)
                .order_by(Delivery.id)
            )
        )
    assert len(ids) == count, f"{len(ids)} deliveries queued, {count} expected"
    return ids


def requeue(reminders: Reminders, ids: list[str]) -> None:
    with reminders.database.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status=DeliveryStatus.queued.value, sent_at=None, attempts=0)
        )


def sent(reminders: Reminders, ids: list[str]) -> int:
    with reminders.database.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.id.in_(ids), Delivery.status == DeliveryStatus.sent.value)
            )
            or 0
        )


def composed(reminders: Reminders, ids: list[str]) -> list[EmailMessage]:
    """The messages the service sends for ``ids``, built the way it builds them."""
    found = []
    settings = reminders.settings
    with reminders.database.session() as session:
        for delivery_id in ids:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            document = partner_document(session, reminders, delivery.subject_id) or {}
            found.append(
                messages.compose(
                    delivery,
                    document["email"],
                    "fi",
                    str(document.get("name", "")),
                    sender=settings.mail_from,
                    domain=settings.mail_domain,
                )
            )
    return found


# --- the sides ------------------------------------------------------------------------------


def through_worker(
    reminders: Reminders, app: Any, queue: str, ids: list[str], timeout: float, tasks: list[str]
) -> float:
    """Seconds from the first task sent until every delivery is `sent`; the task ids are
    added to ``tasks``."""
    requeue(reminders, ids)
    started = time.perf_counter()
    for delivery_id in ids:
        tasks.append(app.send_task(SEND, args=[delivery_id], queue=queue).id)
    wait_for(lambda: sent(reminders, ids) == len(ids), timeout, "the worker", 0.05)
    return time.perf_counter() - started


def plain_loop(port: int, batch: list[EmailMessage]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for message in batch:
            smtp.send_message(message)
    return time.perf_counter() - started


def connection_per_message(port: int, batch: list[EmailMessage]) -> float:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
    started = time.perf_counter()
    for message in batch:
        mailer.send(message)
    return time.perf_counter() - started


def in_process(reminders: Reminders, ids: list[str]) -> dict[str, float]:
    """``sending.send`` for every id in this process: seconds in all, in SMTP and in SQL
    statements (commits not included), and the number of statements."""
    requeue(reminders, ids)
    mailer = reminders.mailer
    spent = {"smtp": 0.0, "sql": 0.0, "statements": 0.0}
    began: list[float] = []

    class Timed:
        def send(self, message: EmailMessage) -> None:
            started = time.perf_counter()
            mailer.send(message)
            spent["smtp"] += time.perf_counter() - started

    def before(*_: Any) -> None:
        began.append(time.perf_counter())

    def after(*_: Any) -> None:
        spent["sql"] += time.perf_counter() - began.pop()
        spent["statements"] += 1

    engine = reminders.database.engine
    reminders.__dict__["mailer"] = Timed()  # the cached property, replaced for this pass
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        for delivery_id in ids:
            assert sending.send(reminders, delivery_id).status == DeliveryStatus.sent.value
        spent["total"] = time.perf_counter() - started
        return spent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        reminders.__dict__["mailer"] = mailer


# --- the run --------------------------------------------------------------------------------


def per_minute(count: int, seconds: float) -> float:
    return 60 * count / seconds


@contextmanager
def worker(env: dict[str, str], queue: str, log: Path, pool: str) -> Iterator[str]:
    name = f"bench-{secrets.token_hex(3)}@%h"
    args = [
        "-m", "celery", "-A", "services.reminders.worker", "worker",
        "-Q", queue, "--concurrency", "1", "--prefetch-multiplier", "1", "--pool", pool,
        "--without-mingle", "--without-gossip", "-n", name, "--loglevel", "WARNING",
    ]  # fmt: skip
    with process_group(args, {**os.environ, **env}, log):
        yield name


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    queue = f"bench-deliveries-{secrets.token_hex(4)}"
    with temporary_folder(args.keep) as folder, bench_database(args.admin_dsn, args.keep) as url:
        with smtp_sink(folder) as (port, report):
            settings = RemindersSettings(
                database_url=url,
                data_dir=folder,
                environment="test",
                smtp_url=f"smtp://127.0.0.1:{port}",
                mail_domain=DOMAIN,
                broker_url=args.redis,
                result_backend=args.redis,
            )
            reminders = Reminders.build(settings)
            migrations.upgrade("reminders", reminders.database)
            total = args.warmup + args.deliveries
            print(f"seeding {total} greetings through tasks.apply and the due scan ...", flush=True)
            began = time.perf_counter()
            ids = seed(reminders, total)
            warmup, measured = ids[: args.warmup], ids[args.warmup :]
            print(f"seeded in {time.perf_counter() - began:.1f} s")
            batch = composed(reminders, measured)
            env = {
                "KORTISTO_ENVIRONMENT": "test",
                "KORTISTO_DATA_DIR": str(folder),
                "KORTISTO_REMINDERS_DATABASE_URL": url,
                "KORTISTO_BROKER_URL": args.redis,
                "KORTISTO_RESULT_BACKEND": args.redis,
                "KORTISTO_SMTP_URL": f"smtp://127.0.0.1:{port}",
                "KORTISTO_MAIL_DOMAIN": DOMAIN,
                "KORTISTO_LOG_LEVEL": "WARNING",
            }
            app = create_celery(settings)
            times: dict[str, list[float]] = {side: [] for side in SIDES}
            tasks: list[str] = []
            splits: list[dict[str, float]] = []
            separate: list[float] = []
            try:
                with worker(env, queue, folder / "worker.log", args.pool):
                    began = time.perf_counter()
                    through_worker(reminders, app, queue, warmup, 120, tasks)
                    print(
                        f"worker started and sent {len(warmup)} warm-up deliveries in "
                        f"{time.perf_counter() - began:.1f} s"
                    )
                    for number in range(1, args.rounds + 1):
                        order = SIDES if number % 2 else SIDES[::-1]
                        line = []
                        for side in order:
                            if side == "kortisto":
                                seconds = through_worker(
                                    reminders, app, queue, measured, 600, tasks
                                )
                            else:
                                seconds = plain_loop(port, batch)
                            times[side].append(seconds)
                            rate = per_minute(len(measured), seconds)
                            line.append(f"{side} {seconds:.2f} s = {rate:,.0f}/min")
                        # Not compared, but measured in every round too: where the time goes.
                        splits.append(in_process(reminders, measured))
                        separate.append(connection_per_message(port, batch))
                        print(f"  round {number}: " + ", ".join(line), flush=True)
            finally:
                broker = redis.Redis.from_url(args.redis)
                # the queue, Kombu's record of its binding, and the results the tasks left
                broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
                for start in range(0, len(tasks), 1000):
                    broker.delete(*(f"celery-task-meta-{t}" for t in tasks[start : start + 1000]))
                app.close()
            reminders.database.dispose()
        counts = json.loads(report.read_text())
    rounds = args.rounds
    expected = len(warmup) + 4 * rounds * len(measured)
    medians = {side: statistics.median(times[side]) for side in SIDES}
    rates = {side: per_minute(len(measured), medians[side]) for side in SIDES}
    n = len(measured)
    print(f"\n{n:,} e-mail deliveries per round, median of {rounds} rounds:")
    print(
        f"  kortisto  {rates['kortisto']:9,.0f} deliveries/min per worker process "
        f"({1000 * medians['kortisto'] / n:.1f} ms each; Celery worker, --pool {args.pool} "
        "--concurrency 1)"
    )
    print(
        f"  baseline  {rates['baseline']:9,.0f} messages/min "
        f"({1000 * medians['baseline'] / n:.2f} ms each; smtplib, one connection, a loop)"
    )
    worker_ms, baseline_ms = (1000 * medians[side] / n for side in SIDES)
    spent = {part: statistics.median(split[part] for split in splits) for part in splits[0]}
    whole, smtp, sql = (1000 * spent[part] / n for part in ("total", "smtp", "sql"))
    parts = [
        ("through the worker, end to end", worker_ms),
        ("sending.send in this process, no Celery", whole),
        ("  of which SMTP (a new connection per message)", smtp),
        (f"  of which SQL ({spent['statements'] / n:.0f} statements, commits not counted)", sql),
        ("  of which commits, decryption, composing", whole - smtp - sql),
        ("Celery (broker, acknowledgement, result, process)", worker_ms - whole),
        ("smtplib, a new connection per message, a loop", 1000 * statistics.median(separate) / n),
        ("smtplib, one connection, a loop (the baseline)", baseline_ms),
    ]
    print("\nwhere a delivery's time goes (ms per delivery, medians over the rounds):")
    for name, ms in parts:
        print(f"  {name:<52} {ms:6.2f}")
    print(
        f"\nthe SMTP server received {counts['received']:,} messages "
        f"({counts['distinct']:,} distinct Message-IDs; {expected:,} sent by the run)"
    )
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    print(f"ratio: {rates['kortisto'] / rates['baseline']:.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=1000, help="deliveries per round")
    parser.add_argument("--warmup", type=int, default=20, help="deliveries before measuring")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per side")
    parser.add_argument(
        "--pool", default="prefork", help="the worker's pool (prefork, as in production, or solo)"
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="broker and results; the run uses a queue of its own",
    )
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="PostgreSQL admin connection")
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder")
    parser.add_argument("--sink-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sink-report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sink_port:
        sink_main(args.sink_port, args.sink_report)
    else:
        run(args)


if __name__ == "__main__":
    main()
