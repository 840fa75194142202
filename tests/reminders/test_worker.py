"""The Celery worker and beat as real processes on the real Redis broker: a task round
trip, beat's periodic tick, and registry events reaching the other services."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.matching.pools.models import PoolMembership
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn
from services.registry.pools import service as pools
from services.reminders.operations.models import Heartbeat
from services.reminders.organisations.models import OrganisationClock
from services.reminders.settings import RemindersSettings
from services.reminders.worker import create_celery
from shared.auth import Principal
from shared.database import Database
from tests.live import wait_until

pytestmark = pytest.mark.slow


def count(database: Database, model: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_task_goes_through_redis_and_its_result_comes_back(worker: Path, broker_url: str) -> None:
    app = create_celery(RemindersSettings(broker_url=broker_url, result_backend=broker_url))
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
