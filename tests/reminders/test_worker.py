"""The Celery worker and beat as real processes on the real Redis broker: a task round
trip, beat's periodic tick, and registry events reaching the other services."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kortisto.services import database_of
from services.matching.pools.models import PoolMembership
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn
from services.registry.pools import service as pools
from services.reminders.operations.models import Heartbeat
from services.reminders.organisations.models import OrganisationClock
from services.reminders.settings import RemindersSettings
from services.reminders.worker import QUEUES, create_celery
from shared import migrations
from shared.auth import Principal
from shared.database import Database
from tests.live import process, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack_env(
    pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    redis_db = random.randint(1, 15)  # keeps this run's queues apart from others on the machine
    broker = redis_url.rsplit("/", 1)[0] + f"/{redis_db}"
    return {
        "KORTISTO_ENVIRONMENT": "test",
        "KORTISTO_DATA_DIR": str(tmp_path_factory.mktemp("worker")),
        "KORTISTO_REGISTRY_DATABASE_URL": pg_url,
        "KORTISTO_MATCHING_DATABASE_URL": pg_url,
        "KORTISTO_REMINDERS_DATABASE_URL": pg_url,
        "KORTISTO_BROKER_URL": broker,
        "KORTISTO_RESULT_BACKEND": broker,
        "KORTISTO_HEARTBEAT_SECONDS": "1",
        "KORTISTO_RELAY_SECONDS": "1",
    }


@pytest.fixture(scope="module")
def databases(
    stack_env: dict[str, str], monkeypatch_module: pytest.MonkeyPatch
) -> Iterator[dict[str, Database]]:
    for key, value in stack_env.items():
        monkeypatch_module.setenv(key, value)
    from kortisto.services import service_settings

    found = {name: database_of(name, s) for name, s in service_settings().items()}
    for name, database in found.items():
        migrations.upgrade(name, database)
    yield found
    for database in found.values():
        database.dispose()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def worker(
    stack_env: dict[str, str],
    databases: dict[str, Database],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    logs = tmp_path_factory.mktemp("logs")
    celery = ["-m", "celery", "-A", "services.reminders.worker"]
    with (
        process(
            [*celery, "worker", "-Q", ",".join(QUEUES), "--concurrency", "2", "--loglevel", "INFO"],
            stack_env,
            logs / "worker.log",
        ),
        process(
            [*celery, "beat", "--loglevel", "INFO", "--schedule", str(logs / "beat-schedule")],
            stack_env,
            logs / "beat.log",
        ),
    ):
        yield logs


def count(database: Database, model: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_task_goes_through_redis_and_its_result_comes_back(worker: Path) -> None:
    app = create_celery(RemindersSettings())
    result = app.send_task("registry.events.relay")
    assert isinstance(result.get(timeout=60), int)


def test_beat_ticks_the_heartbeat_which_the_worker_records(
    worker: Path, databases: dict[str, Database]
) -> None:
    reminders = databases["reminders"]
    before = count(reminders, Heartbeat)
    wait_until(lambda: count(reminders, Heartbeat) >= before + 2, 60, "two heartbeats from beat")


def test_registry_events_reach_matching_and_reminders(
    worker: Path, databases: dict[str, Database]
) -> None:
    registry = databases["registry"]
    with registry.session() as session:
        first = identity.create_organisation(
            session,
            OrganisationIn(
                name="Kotipolku",
                kind=OrganisationKind.support_provider,
                timezone="Europe/Stockholm",
            ),
            "test",
        )
        second = identity.create_organisation(
            session, OrganisationIn(name="Kallio ry", kind=OrganisationKind.association), "test"
        )
        admin_1 = Principal("test", first.id, frozenset({"admin"}))
        admin_2 = Principal("test", second.id, frozenset({"admin"}))
        pool = pools.create_pool(session, admin_1, "Kallion verkosto")
        pools.invite(session, admin_1, pool.id, second.id)
        pools.accept(session, admin_2, pool.id)

    reminders, matching = databases["reminders"], databases["matching"]

    def clock() -> str | None:
        with reminders.session() as session:
            found = session.get(OrganisationClock, first.id)
            return found.timezone if found else None

    wait_until(lambda: clock() == "Europe/Stockholm", 60, "the organisation's clock in reminders")

    def pooled() -> set[str]:
        from services.matching.pools.service import pooled_organisations

        with matching.session() as session:
            return pooled_organisations(session, first.id)

    wait_until(lambda: pooled() == {second.id}, 60, "the pool in matching")
    with matching.session() as session:
        rows = session.scalars(
            select(PoolMembership).where(PoolMembership.pool_id == pool.id)
        ).all()
    assert {(r.organisation_id, r.status) for r in rows} == {
        (first.id, "active"),
        (second.id, "active"),
    }
