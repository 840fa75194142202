"""One Alembic history per service, each with its own version table in its own schema,
run by one command (``kortisto migrate``)."""

from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, text

from shared.database import Database

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.attributes["database"] = database
    return config


def upgrade(service: str, database: Database, revision: str = "head") -> None:
    if database.dialect == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"'))
    command.upgrade(alembic_config(service, database), revision)


def downgrade(service: str, database: Database, revision: str) -> None:
    command.downgrade(alembic_config(service, database), revision)


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    database: Database = context.config.attributes["database"]
    postgres = database.dialect == "postgresql"
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table="alembic_version",
            version_table_schema=database.schema if postgres else None,
            include_schemas=postgres,
            # Other services' schemas in the same database are not ours to compare.
            include_name=lambda name, kind, _parent: kind != "schema" or name == database.schema,
            render_as_batch=not postgres,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def migration_schema(name: str) -> str | None:
    """The schema to name in a migration's operations: the service's schema on PostgreSQL,
    none on SQLite, where each service has a file of its own. (DDL that Alembic writes
    itself, such as ALTER TABLE, does not pass through the engine's schema translation.)"""
    return name if op.get_bind().dialect.name == "postgresql" else None
