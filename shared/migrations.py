"""One Alembic history per service, each with its own version table in its own schema,
run by one command (``kortisto migrate``)."""

from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import (
    Connection,
    ForeignKeyConstraint,
    MetaData,
    Table,
    and_,
    delete,
    exists,
    inspect,
    text,
    update,
)

from shared.database import Database, set_sqlite_foreign_keys

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
        if not postgres:
            # A table that SQLite's batch mode rebuilds is dropped and renamed; with foreign
            # keys on, dropping it would first delete (or cascade to) the rows that refer to
            # it. Keys are checked once the migrations are done instead.
            set_sqlite_foreign_keys(connection, False)
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
        if not postgres:
            _check_sqlite_foreign_keys(connection)


def migration_schema(name: str) -> str | None:
    """The schema to name in a migration's operations: the service's schema on PostgreSQL,
    none on SQLite, where each service has a file of its own. (DDL that Alembic writes
    itself, such as ALTER TABLE, does not pass through the engine's schema translation.)"""
    return name if op.get_bind().dialect.name == "postgresql" else None


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    connection.commit()
    set_sqlite_foreign_keys(connection, True)
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"rows refer to rows that do not exist in: {', '.join(tables)}")


def restore_sqlite_foreign_keys(metadata: MetaData) -> None:
    """Gives an embedded (SQLite) database the foreign keys its tables were created without.

    Until SQLite was told to render them (``shared.database``), a key naming another table
    of the service's schema was left out of SQLite's DDL, so nothing was enforced or
    cascaded. For every table that lacks a key the metadata declares, rows that refer to
    nothing are handled as the key's ``ON DELETE`` would have (set to null, or removed), and
    the table is rebuilt with its keys. Nothing happens on PostgreSQL."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = inspect(bind)
    tables = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in tables:
            continue
        held = {tuple(key["constrained_columns"]) for key in inspector.get_foreign_keys(table.name)}
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [
            key
            for key in table.foreign_key_constraints
            if tuple(key.column_keys) not in held
            and set(key.column_keys) <= columns
            and key.referred_table.name in tables
        ]
        if not missing:
            continue
        for key in missing:
            _settle_orphans(bind, table, key)
        with op.batch_alter_table(table.name, recreate="always") as batch:
            for key in missing:
                batch.create_foreign_key(
                    key.name if isinstance(key.name, str) else None,
                    key.referred_table.name,
                    list(key.column_keys),
                    [element.column.name for element in key.elements],
                    ondelete=key.ondelete,
                )


def _settle_orphans(bind: Connection, table: Table, key: ForeignKeyConstraint) -> None:
    local = [table.c[name] for name in key.column_keys]
    remote = [element.column for element in key.elements]
    refers_to_nothing = and_(
        *(column.is_not(None) for column in local),
        ~exists().where(*(r == c for c, r in zip(local, remote, strict=True))),
    )
    if (key.ondelete or "").upper() == "SET NULL":
        bind.execute(update(table).where(refers_to_nothing).values({c.name: None for c in local}))
    else:
        bind.execute(delete(table).where(refers_to_nothing))
