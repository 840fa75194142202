"""Matching's copy of pool memberships keeps the newest state whatever order events
arrive in, and applies each event once."""

import uuid
from collections.abc import Iterator

import pytest

from services.matching.models import processed_events
from services.matching.pools.service import apply_pool_event, pooled_organisations
from shared import migrations
from shared.database import Database
from shared.events import Event, apply_once


@pytest.fixture(scope="module")
def matching_db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url, "matching")
    migrations.upgrade("matching", database)
    yield database
    database.dispose()


def event(pool: str, org: str, status: str, version: int) -> Event:
    payload = {"pool_id": pool, "organisation_id": org, "status": status, "version": version}
    return Event(str(uuid.uuid4()), "registry", "pool.membership_changed", payload)


def test_an_older_state_arriving_late_does_not_win(matching_db: Database) -> None:
    pool, founder, joiner = (str(uuid.uuid4()) for _ in range(3))
    arriving = [
        event(pool, founder, "active", 1),
        event(pool, joiner, "active", 2),  # accepted, overtaking the invitation
        event(pool, joiner, "invited", 1),
    ]
    for e in arriving:
        with matching_db.session() as session:
            apply_once(session, processed_events, e, apply_pool_event)
    with matching_db.session() as session:
        assert pooled_organisations(session, founder) == {joiner}
    with matching_db.session() as session:
        apply_once(session, processed_events, event(pool, joiner, "left", 3), apply_pool_event)
        assert pooled_organisations(session, founder) == set()
