"""Registry events on the embedded default, as ``kortisto up`` runs them: SQLite files, the
SQLite Celery broker and a real worker. One relay hands the outbox's events to matching and
reminders as a batch each; both apply every event once, and a repeat delivery of the same
batches changes nothing. Always on SQLite: this is the embedded mode itself."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.matching.index.models import IndexedPartner, Resource
from services.matching.models import processed_events as matching_processed
from services.matching.settings import MatchingSettings
from services.registry.app import create_app
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.models import outbox
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.reminders.models import processed_events as reminders_processed
from services.reminders.people.models import PartnerCopy
from services.reminders.schedules.models import Schedule
from services.reminders.settings import RemindersSettings
from services.reminders.worker import QUEUES, create_celery
from shared import migrations
from shared.auth import Principal
from shared.database import Database
from shared.events import Event
from tests.live import process, wait_until

pytestmark = pytest.mark.slow

PARTNERS = 5
EMBEDDED_DEFAULTS = (
    "BROKER_URL",
    "RESULT_BACKEND",
    "REGISTRY_DATABASE_URL",
    "MATCHING_DATABASE_URL",
    "REMINDERS_DATABASE_URL",
)
CSV = "Nimi;Tyyppi;Taidot;Suostumus: kortisto;Suostumus: tiimi;Suostumus: ehdotukset\n" + "".join(
    f"Kumppani {n};kansalainen;leipominen;kyllä;kyllä;kyllä\n" for n in range(PARTNERS)
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def embedded_registry(data_dir: Path) -> Iterator[Registry]:
    """The registry on its embedded SQLite file, with an organisation, a staff member and
    partners imported through its API; the consumers' files migrated, nothing relayed."""
    registry = Registry.build(RegistrySettings(data_dir=data_dir, environment="test"))
    migrations.upgrade("registry", registry.database)
    for name, settings in (
        ("matching", MatchingSettings(data_dir=data_dir)),
        ("reminders", RemindersSettings(data_dir=data_dir)),
    ):
        database = Database(settings.resolved_database_url(), name)
        migrations.upgrade(name, database)
        database.dispose()
    with registry.database.session() as session:
        organisation = identity.create_organisation(
            session, OrganisationIn(name="Kotipolku", kind=OrganisationKind.association), "test"
        )
        user = identity.create_user(
            session,
            registry,
            organisation.id,
            UserIn(
                email=f"{uuid.uuid4().hex[:8]}@example.org",
                display_name="Staff",
                password="x" * 12,
                roles=["staff"],
            ),
            "test",
        )
    token = registry.issuer.issue(Principal(user.id, organisation.id, frozenset({"staff"})))
    with TestClient(create_app(registry.settings)) as client:
        imported = client.post(
            "/imports/partners",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("partners.csv", CSV.encode(), "text/csv")},
            data={
                "dry_run": "false",
                "consent_method": "written",
                "consent_information_version": "v1",
            },
        )
    assert imported.status_code == 201, imported.text
    yield registry
    registry.database.dispose()


def outbox_messages(registry: Registry) -> list[dict[str, Any]]:
    with registry.database.session() as session:
        rows = session.execute(
            select(outbox.c.id, outbox.c.type, outbox.c.payload).order_by(outbox.c.created_at)
        ).all()
    return [Event(r.id, "registry", r.type, r.payload).as_message() for r in rows]


def consumer_state(data_dir: Path) -> dict[str, Any]:
    """What each consumer holds: the events it recorded and what they made."""
    matching = Database(MatchingSettings(data_dir=data_dir).resolved_database_url(), "matching")
    reminders = Database(RemindersSettings(data_dir=data_dir).resolved_database_url(), "reminders")
    try:
        with matching.session() as session:
            state: dict[str, Any] = {
                "matching events": sorted(session.scalars(select(matching_processed.c.event_id))),
                "indexed": sorted(
                    session.execute(select(IndexedPartner.partner_id, IndexedPartner.event_at))
                ),
                "resources": session.scalar(select(func.count()).select_from(Resource)),
            }
        with reminders.session() as session:
            state |= {
                "reminders events": sorted(session.scalars(select(reminders_processed.c.event_id))),
                "partner copies": sorted(
                    session.execute(select(PartnerCopy.partner_id, PartnerCopy.event_at))
                ),
                "schedules": sorted(
                    session.execute(select(Schedule.subject_id, Schedule.kind, Schedule.status))
                ),
            }
        return state
    finally:
        matching.dispose()
        reminders.dispose()


def test_a_batch_reaches_both_consumers_once_even_when_delivered_again(
    embedded_registry: Registry, data_dir: Path
) -> None:
    messages = outbox_messages(embedded_registry)
    ids = sorted(m["id"] for m in messages)
    partners = sorted(
        m["payload"]["partner_id"] for m in messages if m["type"] == "partner.upserted"
    )
    assert len(partners) == PARTNERS and len(ids) > PARTNERS  # the organisation's events too
    # Empty: the embedded defaults, SQLite files and broker under the data directory.
    env = {f"KORTISTO_{name}": "" for name in EMBEDDED_DEFAULTS}
    env |= {"KORTISTO_DATA_DIR": str(data_dir), "KORTISTO_ENVIRONMENT": "test"}
    app = create_celery(RemindersSettings(data_dir=data_dir))
    assert app.conf.broker_transport == "shared.broker:Transport"  # the SQLite broker
    worker = ["-m", "celery", "-A", "services.reminders.worker", "worker", "-Q", ",".join(QUEUES)]
    with process([*worker, "--concurrency", "2"], env, data_dir / "worker.log"):
        assert app.send_task("registry.events.relay").get(timeout=120) == len(ids)

        def applied() -> bool:
            state = consumer_state(data_dir)
            return state["matching events"] == ids and state["reminders events"] == ids

        wait_until(applied, 120, "both consumers applying the relayed batch")
        first = consumer_state(data_dir)
        assert [p for p, _ in first["indexed"]] == partners
        assert [p for p, _ in first["partner copies"]] == partners
        assert first["resources"] >= PARTNERS
        assert {subject for subject, _, _ in first["schedules"]} >= set(partners)

        # The same batches again, as after a relay that died before marking them sent.
        for task in ("matching.events.apply_batch", "reminders.events.apply_batch"):
            assert app.send_task(task, args=[messages]).get(timeout=120) == 0
        assert consumer_state(data_dir) == first

    broker = Database(f"sqlite:///{data_dir / 'celery-broker.db'}", "broker")
    try:
        with broker.engine.connect() as connection:
            left = connection.exec_driver_sql("SELECT count(*) FROM kombu_message").scalar()
    finally:
        broker.dispose()
    assert left == 0, "delivered messages are not kept in the broker"
    app.close()
