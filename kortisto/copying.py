"""Copying an embedded installation (a SQLite file per service) into PostgreSQL, for an
organisation that outgrows the embedded default.

Every service's schema is brought up to date on both sides first, so the same tables are
copied row for row, parents before the rows that refer to them. The copy refuses a target
that already holds data: it makes a new installation, it does not merge two. The keys do
not travel through the database: the wrapped data keys are rows like any other, and the
master key and token signing key files must go with the data (``--keys-to``)."""

import importlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Integer, MetaData, Table, func, insert, select
from sqlalchemy.orm import Session

from shared import migrations
from shared.database import Database

SERVICES = ("registry", "matching", "reminders")
CHUNK = 1000


class TargetNotEmpty(RuntimeError):
    """The PostgreSQL database already holds an installation's data."""


def metadata_of(service: str) -> MetaData:
    importlib.import_module(f"services.{service}.tables")  # registers every table
    metadata: MetaData = importlib.import_module(f"services.{service}.models").Base.metadata
    return metadata


def copy_installation(
    sources: dict[str, Database],
    targets: dict[str, Database],
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Copies every service's tables from ``sources`` (SQLite) into ``targets``
    (PostgreSQL); returns how many rows each service's copy holds."""
    for service in SERVICES:
        migrations.upgrade(service, sources[service])
        migrations.upgrade(service, targets[service])
    for service in SERVICES:
        filled = _filled_tables(targets[service], metadata_of(service))
        if filled:
            raise TargetNotEmpty(
                f"the target database already holds {service} data (in {', '.join(filled)}); "
                "copy into an empty database"
            )
    copied = {}
    for service in SERVICES:
        metadata = metadata_of(service)
        rows = 0
        with targets[service].session() as target:
            for table in metadata.sorted_tables:
                count = 0
                for chunk in _chunks(sources[service], table):
                    target.execute(insert(table), chunk)
                    count += len(chunk)
                _continue_sequences(target, table)
                rows += count
                if count:
                    progress(f"{service}.{table.name}: {count} rows")
        copied[service] = rows
    return copied


def copy_key_files(files: list[Path], folder: Path) -> list[Path]:
    """The key files copied into ``folder``, readable by their owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for file in files:
        target = folder / file.name
        shutil.copyfile(file, target)
        target.chmod(0o600)
        written.append(target)
    return written


def _filled_tables(database: Database, metadata: MetaData) -> list[str]:
    with database.session() as session:
        return [
            table.name
            for table in metadata.sorted_tables
            if session.scalar(select(func.count()).select_from(table))
        ]


def _chunks(database: Database, table: Table) -> Iterator[list[dict[str, object]]]:
    with database.engine.connect() as conn:
        result = conn.execution_options(yield_per=CHUNK).execute(select(table))
        for partition in result.mappings().partitions(CHUNK):
            yield [dict(row) for row in partition]


def _continue_sequences(session: Session, table: Table) -> None:
    """A serial column's sequence goes on after the highest copied value."""
    for column in table.columns:
        if not isinstance(column.type, Integer):
            continue
        sequence = session.scalar(
            select(func.pg_get_serial_sequence(f"{table.schema}.{table.name}", column.name))
        )
        if sequence is not None:
            highest = select(func.max(column)).scalar_subquery()
            session.execute(select(func.setval(sequence, func.coalesce(highest, 0) + 1, False)))
