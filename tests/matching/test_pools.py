"""Matching's copy of pool memberships keeps the newest state whatever order events
arrive in, applies each event once, and drops none when two workers race on one row."""

import threading
import uuid
from collections.abc import Iterator

import pytest

from services.matching.models import processed_events
from services.matching.pools.models import PoolMembership
from services.matching.pools.service import apply_pool_event, pooled_organisations
from shared import migrations
from shared.database import Database
from shared.events import Event, apply_once
from shared.events.consumer import apply_message
from tests.locks import backend_of, wait_until_blocked_by


@pytest.fixture(scope="module")
def matching_db(database_urls: dict[str, str]) -> Iterator[Database]:
    database = Database(database_urls["matching"], "matching")
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


@pytest.mark.postgresql_only("the race is staged with row locks seen in pg_stat_activity")
def test_two_events_racing_on_one_new_row_are_both_applied(matching_db: Database) -> None:
    """An invitation and its acceptance, applied at once by two workers: both find no row
    and both insert it. The one that loses the race on the key runs again and updates the
    row, so the acceptance is not dropped (nor ever applied twice)."""
    pool, founder, joiner = (str(uuid.uuid4()) for _ in range(3))
    with matching_db.session() as session:
        apply_once(session, processed_events, event(pool, founder, "active", 1), apply_pool_event)
    accepted = event(pool, joiner, "active", 2)
    handlers = {"pool.membership_changed": lambda session, _, e: apply_pool_event(session, e)}
    outcome: dict[str, object] = {}

    def accept_in_second_worker() -> None:
        try:
            outcome["applied"] = apply_message(
                matching_db, processed_events, handlers, None, accepted.as_message()
            )
        except Exception as exc:  # reported by the main thread
            outcome["error"] = exc

    with matching_db.sessions() as first:
        apply_once(first, processed_events, event(pool, joiner, "invited", 1), apply_pool_event)
        first.flush()  # the invitation's row, not yet committed
        second = threading.Thread(target=accept_in_second_worker)
        second.start()
        wait_until_blocked_by(matching_db, backend_of(first))
        first.commit()
    second.join(10)

    assert "error" not in outcome, outcome.get("error")
    assert outcome["applied"] is True
    with matching_db.session() as session:
        assert pooled_organisations(session, founder) == {joiner}
        assert session.get(PoolMembership, (pool, joiner)).version == 2  # type: ignore[union-attr]
        # Delivered again, the acceptance changes nothing.
        assert not apply_message(
            matching_db, processed_events, handlers, None, accepted.as_message()
        )
