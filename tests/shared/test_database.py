"""What the engines must agree on, tested on the session's engine (SQLite and PostgreSQL)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from shared.database import Database, UtcDateTime, service_metadata
from tests.conftest import scratch_database

metadata = service_metadata("engine_test")
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime()),
)
children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("moment_id", ForeignKey("engine_test.moments.id", ondelete="CASCADE")),
)
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def database(database_urls: dict[str, str], tmp_path: Path) -> Iterator[Database]:
    with scratch_database(database_urls, tmp_path, metadata) as database:
        yield database


def test_a_moment_comes_back_as_the_same_instant_in_utc(database: Database) -> None:
    meeting = datetime(2026, 12, 8, 13, 0, tzinfo=HELSINKI)
    with database.session() as session:
        session.execute(insert(moments).values(id=1, at=meeting))
    with database.session() as session:
        stored = session.scalar(select(moments.c.at))
        later = session.scalar(
            select(moments.c.id).where(moments.c.at > datetime(2026, 12, 8, 11, 30, tzinfo=UTC))
        )
    assert stored == meeting and stored is not None
    assert stored.tzinfo == UTC and (stored.hour, stored.minute) == (11, 0)
    assert stored.astimezone(HELSINKI).hour == 13
    assert later is None  # compared as instants: 11:00 UTC is not after 11:30 UTC


def test_foreign_keys_are_enforced_and_cascade(database: Database) -> None:
    with database.session() as session:
        session.execute(insert(moments).values(id=1, at=datetime.now(UTC)))
        session.execute(insert(children).values(id=1, moment_id=1))
    with pytest.raises(IntegrityError), database.session() as session:
        session.execute(insert(children).values(id=2, moment_id=99))
    with database.session() as session:
        session.execute(moments.delete())
    with database.session() as session:
        assert session.scalar(select(children.c.id)) is None


def test_a_number_beyond_the_column_is_refused_as_data(database: Database) -> None:
    with pytest.raises(DataError), database.session() as session:
        session.execute(select(moments.c.id).where(moments.c.id == 2**80))
