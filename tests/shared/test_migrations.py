"""Every service's migration history runs up and back down, on PostgreSQL and on the
embedded SQLite default, and leaves the schema matching the models."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

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


@pytest.mark.parametrize("service", sorted(METADATA))
def test_sqlite_holds_every_foreign_key_the_models_declare(tmp_path: Path, service: str) -> None:
    database = Database(f"sqlite:///{tmp_path / service}.db", service)
    migrations.upgrade(service, database)
    held = inspect(database.engine)
    for table in METADATA[service].sorted_tables:
        declared = {tuple(key.column_keys) for key in table.foreign_key_constraints}
        found = {tuple(key["constrained_columns"]) for key in held.get_foreign_keys(table.name)}
        assert found == declared, table.name
    database.dispose()


def test_an_embedded_database_made_without_foreign_keys_gets_them(tmp_path: Path) -> None:
    """Embedded databases made before SQLite was given the keys: the migration adds them,
    and a row that refers to nothing goes as ``ON DELETE CASCADE`` would have taken it."""
    database = Database(f"sqlite:///{tmp_path / 'matching'}.db", "matching")
    migrations.upgrade("matching", database, "0008")
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE resource_postings")
        conn.exec_driver_sql(
            "CREATE TABLE resource_postings (resource_key BIGINT NOT NULL, term VARCHAR(64) "
            "NOT NULL, weight FLOAT NOT NULL, PRIMARY KEY (resource_key, term))"
        )
        conn.exec_driver_sql("INSERT INTO resource_postings VALUES (404, 'orphan', 1.0)")
    assert inspect(database.engine).get_foreign_keys("resource_postings") == []

    migrations.upgrade("matching", database)

    (key,) = inspect(database.engine).get_foreign_keys("resource_postings")
    assert key["referred_table"] == "resources" and key["options"]["ondelete"] == "CASCADE"
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM resource_postings").scalar() == 0
    database.dispose()
