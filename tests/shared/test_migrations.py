"""Every service's migration history runs up and back down, on PostgreSQL and on the
embedded SQLite default, and leaves the schema matching the models."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

import services.matching.tables
import services.registry.tables
import services.reminders.tables  # noqa: F401  (registers the tables)
from services.matching.models import Base as MatchingBase
from services.registry.models import Base as RegistryBase
from services.reminders.models import Base as RemindersBase
from shared import migrations
from shared.database import Database
from tests.conftest import PG_ADMIN_DSN

METADATA: dict[str, MetaData] = {
    "registry": RegistryBase.metadata,
    "matching": MatchingBase.metadata,
    "reminders": RemindersBase.metadata,
}


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    name = f"kortisto_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def differences(database: Database, metadata: MetaData) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": database.dialect == "postgresql",
                "include_name": lambda name, kind, _p: (
                    name == database.schema if kind == "schema" else name != "alembic_version"
                ),
            },
        )
        return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("service", sorted(METADATA))
def test_up_down_up_on_postgresql(fresh_pg: str, service: str) -> None:
    database = Database(fresh_pg, service)
    migrations.upgrade(service, database)
    assert differences(database, METADATA[service]) == []
    migrations.downgrade(service, database, "base")
    migrations.upgrade(service, database)
    assert differences(database, METADATA[service]) == []
    database.dispose()


@pytest.mark.parametrize("service", sorted(METADATA))
def test_up_down_up_on_sqlite(tmp_path: Path, service: str) -> None:
    database = Database(f"sqlite:///{tmp_path / service}.db", service)
    migrations.upgrade(service, database)
    migrations.downgrade(service, database, "base")
    migrations.upgrade(service, database)
    database.dispose()
