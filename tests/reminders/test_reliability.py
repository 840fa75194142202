"""Deliveries under faults. 1,000 birthday greetings fall due at once and go through a real
Celery worker and beat to a real SMTP server (aiosmtpd) started here. While they are being
sent, the worker is killed with SIGKILL (a new one is started) and the broker, a
redis-server of this test's own that keeps nothing on disk, is stopped and started again,
losing every queued message. Every delivery must arrive, once per idempotency key; the only
duplicates allowed are deliveries a killed worker was in the middle of sending. The counts
and the time taken are printed.

And the rule that makes a second message for a delivery harmless while the first is still
being sent: a delivery a live worker has taken is left to it.

Each test runs on a PostgreSQL database of its own (dropped at the end), not the session's:
the session's worker and beat, started by other tests, scan the session database every
second and would send these deliveries themselves (and this worker would send theirs)."""

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from services.registry.settings import RegistrySettings
from services.reminders.deliveries import sending
from services.reminders.deliveries.models import Delivery, DeliveryStatus
from services.reminders.deliveries.service import run_due_scan
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule, ScheduleKind
from services.reminders.settings import RemindersSettings
from services.reminders.tasks import apply
from shared import migrations
from shared.crypto import seal_for
from shared.database import is_sqlite, utcnow
from tests.conftest import postgresql_database
from tests.live import free_port, process, wait_until
from tests.reminders.running import set_quiet_hours
from tests.smtp import Inbox, smtp_server

PARTNERS = 1000
TIMEZONE = "Europe/Helsinki"
MAIL_DOMAIN = "reliability.kortisto.test"
KILL_AT = 0.3  # share of the messages received when the worker is killed
REDIS_RESTART_AT = 0.6  # ... and when Redis is restarted
# Seconds from the schedules falling due to every delivery sent. A typical run takes 60-70:
# the messages lost with Redis wait for beat's sweep, which runs once a minute.
DEADLINE = 200.0


# --- the parts: a database, an SMTP sink, a broker ------------------------------------------


@pytest.fixture
def reliability_db_url(database_urls: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A reminders database of the test's own, on the session's engine."""
    if is_sqlite(database_urls["reminders"]):
        yield f"sqlite:///{tmp_path}/reliability.db"
        return
    with postgresql_database() as url:
        yield url


def runtime(url: str, registry_settings: RegistrySettings, **settings: Any) -> Reminders:
    """Reminders on ``url``, migrated, with the session's master key file."""
    reminders = Reminders.build(
        RemindersSettings(
            database_url=url,
            data_dir=registry_settings.data_dir,
            environment="test",
            mail_domain=MAIL_DOMAIN,
            **settings,
        )
    )
    migrations.upgrade("reminders", reminders.database)
    return reminders


def header(message: Any, name: str) -> str:
    return str(message[name]).strip()  # a long value is folded onto a line of its own


class SpareRedis:
    """A redis-server on a free port that keeps nothing on disk: a restart starts empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.child: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.child = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.ping, 20, f"redis-server on port {self.port}", 0.05)

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()  # SIGTERM: a clean shutdown that saves nothing
            self.child.wait(20)
        self.child = None


@contextlib.contextmanager
def spare_redis(folder: Path) -> Iterator[SpareRedis]:
    server = SpareRedis(folder)
    server.start()
    try:
        yield server
    finally:
        if server.child is not None and server.child.poll() is None:
            server.child.kill()
            server.child.wait()


# --- the workload ---------------------------------------------------------------------------


def today_birthday() -> str:
    """Born in 1980 (a leap year, so 29 February works too) on today's local date."""
    return utcnow().astimezone(ZoneInfo(TIMEZONE)).date().replace(year=1980).isoformat()


def partner_message(reminders: Reminders, organisation_id: str, number: int) -> dict[str, Any]:
    """`partner.upserted` as the registry publishes it for an active partner who consented
    to the file and to greetings, with an e-mail address and a birthday today."""
    partner_id = str(uuid.uuid4())
    document = {
        "name": f"Kumppani {number}",
        "email": f"partner-{number}@example.org",
        "birthday": today_birthday(),
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
        "sealed_reminders": seal_for(reminders.keyring.provider, "reminders", partner_id, document),
    }
    return {
        "id": str(uuid.uuid4()),
        "source": "registry",
        "type": "partner.upserted",
        "payload": payload,
    }


def seed(reminders: Reminders, partners: int) -> str:
    organisation_id = str(uuid.uuid4())
    created = {"organisation_id": organisation_id, "timezone": TIMEZONE}
    assert apply(
        reminders,
        {
            "id": str(uuid.uuid4()),
            "source": "registry",
            "type": "organisation.created",
            "payload": created,
        },
    )
    set_quiet_hours(reminders.database, organisation_id)
    for number in range(partners):
        assert apply(reminders, partner_message(reminders, organisation_id, number))
    with reminders.database.session() as session:
        greetings = session.scalar(
            select(func.count())
            .select_from(Schedule)
            .where(Schedule.kind == ScheduleKind.greeting.value)
        )
    assert greetings == partners
    return organisation_id


def make_due(reminders: Reminders) -> None:
    with reminders.database.session() as session:
        session.execute(
            update(Schedule)
            .where(Schedule.kind == ScheduleKind.greeting.value)
            .values(next_due_at=utcnow() - timedelta(minutes=1))
        )


def by_status(reminders: Reminders) -> dict[str, int]:
    with reminders.database.session() as session:
        rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return {str(status): int(n) for status, n in rows}


# --- the test -------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_delivery_arrives_once_through_a_worker_kill_and_a_redis_restart(
    reliability_db_url: str,
    registry_settings: RegistrySettings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reminders = runtime(reliability_db_url, registry_settings)
    started = time.monotonic()
    seed(reminders, PARTNERS)
    seeded = time.monotonic() - started

    with contextlib.ExitStack() as stack:
        inbox = stack.enter_context(smtp_server())
        broker = stack.enter_context(spare_redis(tmp_path))
        env = {
            "KORTISTO_ENVIRONMENT": "test",
            "KORTISTO_DATA_DIR": str(registry_settings.data_dir),
            "KORTISTO_REMINDERS_DATABASE_URL": reliability_db_url,
            "KORTISTO_BROKER_URL": f"{broker.url}/0",
            "KORTISTO_RESULT_BACKEND": f"{broker.url}/1",
            "KORTISTO_SMTP_URL": inbox.url,
            "KORTISTO_MAIL_DOMAIN": MAIL_DOMAIN,
            "KORTISTO_DUE_SCAN_SECONDS": "1",
            "KORTISTO_SWEEP_AFTER_SECONDS": "5",
            "KORTISTO_HEARTBEAT_SECONDS": "5",
            "KORTISTO_RELAY_SECONDS": "5",
            "KORTISTO_LOG_LEVEL": "WARNING",
        }
        celery = ["-m", "celery", "-A", "services.reminders.worker"]
        worker_args = [
            *celery,
            "worker",
            "-Q",
            "reminders,deliveries",
            "--concurrency",
            "2",
            "--prefetch-multiplier",
            "1",
            "--without-mingle",
            "--without-gossip",
        ]

        def start_worker(name: str) -> subprocess.Popen[bytes]:
            return stack.enter_context(
                process([*worker_args, "-n", f"{name}@%h"], env, tmp_path / f"{name}.log")
            )

        first = start_worker("first")
        stack.enter_context(
            process(
                [*celery, "beat", "--schedule", str(tmp_path / "beat-schedule")],
                env,
                tmp_path / "beat.log",
            )
        )
        time.sleep(3)  # the worker and beat load the app; the due scan ticks every second

        make_due(reminders)
        due = time.monotonic()
        killed_at = restarted_at = None
        sending_at_kill: set[str] = set()
        lost_with_redis = 0
        deadline = due + DEADLINE
        statuses: dict[str, int] = {}
        while time.monotonic() < deadline:
            statuses = by_status(reminders)
            if statuses.get(DeliveryStatus.sent.value, 0) == PARTNERS:
                break
            received = len({header(m, "Message-ID") for m in list(inbox.messages)})
            if killed_at is None and received >= KILL_AT * PARTNERS:
                os.killpg(first.pid, signal.SIGKILL)
                first.wait()
                killed_at = time.monotonic() - due
                with reminders.database.session() as session:
                    sending_at_kill = set(
                        session.scalars(
                            select(Delivery.id).where(
                                Delivery.status == DeliveryStatus.sending.value
                            )
                        )
                    )
                start_worker("second")
            elif (
                killed_at is not None
                and restarted_at is None
                and received >= REDIS_RESTART_AT * PARTNERS
            ):
                broker.stop()
                # Whatever was queued now is gone with Redis's memory: the sweeper's work.
                lost_with_redis = by_status(reminders).get(DeliveryStatus.queued.value, 0)
                time.sleep(1)
                broker.start()
                restarted_at = time.monotonic() - due
            time.sleep(0.1)
        taken = time.monotonic() - due

    assert killed_at is not None, "every message went out before the worker could be killed"
    assert restarted_at is not None, "every message went out before Redis could be restarted"
    assert statuses.get(DeliveryStatus.sent.value, 0) == PARTNERS, (
        f"not every delivery was sent within {DEADLINE:.0f} s: {statuses} (logs in {tmp_path})"
    )

    with reminders.database.session() as session:
        deliveries = {
            d.id: (d.idempotency_key, d.attempts) for d in session.scalars(select(Delivery))
        }
    expected_ids = {f"<{delivery_id}@{MAIL_DOMAIN}>": delivery_id for delivery_id in deliveries}
    per_message = Counter(header(m, "Message-ID") for m in inbox.messages)
    keys_received = {header(m, "X-Kortisto-Delivery") for m in inbox.messages}
    duplicates = {mid: n for mid, n in per_message.items() if n > 1}
    missing = set(expected_ids) - set(per_message)
    unknown = set(per_message) - set(expected_ids)
    resent = sum(1 for _, attempts in deliveries.values() if attempts > 1)

    with capsys.disabled():
        print(
            f"\n  reliability: {PARTNERS} deliveries; seeded in {seeded:.1f} s; "
            f"all sent {taken:.1f} s after falling due\n"
            f"  worker SIGKILLed at {killed_at:.1f} s ({len(sending_at_kill)} being sent), "
            f"Redis restarted at {restarted_at:.1f} s ({lost_with_redis} queued messages lost)\n"
            f"  received {len(inbox.messages)} messages, {len(per_message)} distinct Message-IDs, "
            f"{sum(duplicates.values()) - len(duplicates)} duplicates "
            f"({len(duplicates)} Message-IDs more than once), {len(missing)} missing; "
            f"{resent} deliveries taken more than once"
        )
        for message_id, n in sorted(duplicates.items()):
            print(f"  duplicate: {message_id} received {n} times")

    assert lost_with_redis > 0, "nothing was queued when Redis restarted: the fault tested nothing"
    assert len(deliveries) == PARTNERS
    assert not missing, f"{len(missing)} deliveries never arrived"
    assert not unknown, f"messages that belong to no delivery: {sorted(unknown)[:5]}"
    assert len(per_message) == PARTNERS
    assert keys_received == {key for key, _ in deliveries.values()}
    # E-mail is at-least-once: the same message (same Message-ID) may come twice only if
    # the killed worker had handed it to the SMTP server without recording it as sent.
    unexplained = {expected_ids[mid] for mid in duplicates} - sending_at_kill
    assert not unexplained, f"sent twice without a worker dying mid-send: {unexplained}"
    assert all(n == 2 for n in duplicates.values())


# --- a second message for a delivery that is being sent ---------------------------------------


class SlowInbox(Inbox):
    """An SMTP server that takes its time to accept a message, as a busy relay does."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def slow_smtp_server() -> Iterator[Inbox]:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def test_a_delivery_another_worker_is_sending_is_not_sent_again(
    reliability_db_url: str, registry_settings: RegistrySettings
) -> None:
    """Two messages for one delivery at once (the sweeper's and the original, or one that
    Redis handed out again) send one e-mail; a delivery whose worker died long ago is taken
    again."""
    with slow_smtp_server() as inbox:
        reminders = runtime(reliability_db_url, registry_settings, smtp_url=inbox.url)
        seed(reminders, 2)
        make_due(reminders)
        run_due_scan(reminders.database, 100, lambda ids: None)
        with reminders.database.session() as session:
            first, second = session.scalars(
                select(Delivery.id).where(Delivery.status == DeliveryStatus.queued.value)
            ).all()

        together = threading.Barrier(2)
        outcomes: list[str] = []

        def send() -> None:
            together.wait()
            outcomes.append(sending.send(reminders, first).status)

        workers = [threading.Thread(target=send) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(30)
        assert sorted(outcomes) == [DeliveryStatus.sending.value, DeliveryStatus.sent.value]
        assert [header(m, "Message-ID") for m in inbox.messages] == [f"<{first}@{MAIL_DOMAIN}>"]

        # The worker that took the second delivery died before it could record anything.
        stale = utcnow() - timedelta(seconds=reminders.settings.sweep_after_seconds + 1)
        with reminders.database.session() as session:
            session.execute(
                update(Delivery)
                .where(Delivery.id == second)
                .values(status=DeliveryStatus.sending.value, queued_at=stale, attempts=1)
            )
        assert sending.send(reminders, second).status == DeliveryStatus.sent.value
        assert header(inbox.messages[-1], "Message-ID") == f"<{second}@{MAIL_DOMAIN}>"
        with reminders.database.session() as session:
            rows = {d.id: d for d in session.scalars(select(Delivery))}
        assert (rows[first].status, rows[first].attempts) == (DeliveryStatus.sent.value, 1)
        assert (rows[second].status, rows[second].attempts) == (DeliveryStatus.sent.value, 2)
        reminders.database.dispose()
