"""The registry's copy of demand, kept from matching's `wish.changed`: an open wish counts,
a fulfilled or dropped one no longer does, a repeated event is applied once, a late older
event changes nothing, and the support user is never stored."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.registry.planning.models import DemandWish
from services.registry.planning.service import demand_counts
from services.registry.tasks import apply
from tests.registry.planning.conftest import (
    COOKING,
    HOUSING,
    KESKUSTA,
    PUNAVUORI,
    Planning,
    cell,
    wish_event,
)


def counts(planning: Planning, organisation_id: str) -> dict[tuple[str, str], int]:
    with planning.registry.database.session() as session:
        return demand_counts(session, [organisation_id])


def test_an_open_wish_counts_and_a_fulfilled_one_moves_out_once(planning: Planning) -> None:
    org = planning.organisation("Kotipolku ry")
    wishes = planning.wishes(org, KESKUSTA, [COOKING, HOUSING], 5)
    planning.wishes(org, KESKUSTA, [COOKING], 1, status="in_progress")  # still waiting
    planning.wishes(org, KESKUSTA, [COOKING], 1, status="dropped")
    assert counts(planning, org) == {(KESKUSTA, COOKING): 6, (KESKUSTA, HOUSING): 5}
    assert cell(planning.coverage(), KESKUSTA, COOKING)["demand"] == 6  # type: ignore[index]

    fulfilled = wish_event(wishes[0], org, KESKUSTA, [COOKING, HOUSING], "fulfilled")
    assert apply(planning.registry, fulfilled) is True
    assert apply(planning.registry, fulfilled) is False  # the same event again
    assert counts(planning, org) == {(KESKUSTA, COOKING): 5, (KESKUSTA, HOUSING): 4}
    shown = cell(planning.coverage(), KESKUSTA, HOUSING)
    assert shown is not None and shown["demand"] is None and shown["demand_suppressed"]

    reopened = wish_event(wishes[0], org, KESKUSTA, [COOKING, HOUSING], "open")
    assert apply(planning.registry, reopened) is True
    assert counts(planning, org) == {(KESKUSTA, COOKING): 6, (KESKUSTA, HOUSING): 5}


def test_a_changed_category_or_district_moves_the_wish(planning: Planning) -> None:
    org = planning.organisation("Kotipolku ry")
    (wish,) = planning.wishes(org, KESKUSTA, [COOKING], 1)
    assert apply(planning.registry, wish_event(wish, org, PUNAVUORI, [HOUSING, HOUSING]))
    assert counts(planning, org) == {(PUNAVUORI, HOUSING): 1}


def test_a_late_older_event_does_not_undo_a_newer_one(planning: Planning) -> None:
    org = planning.organisation("Kotipolku ry")
    wish = str(uuid.uuid4())
    now = datetime.now(UTC)
    newer = wish_event(wish, org, KESKUSTA, [COOKING], "fulfilled", changed_at=now.isoformat())
    older = wish_event(
        wish, org, KESKUSTA, [COOKING], "open", changed_at=(now - timedelta(minutes=5)).isoformat()
    )
    assert apply(planning.registry, newer) is True
    assert apply(planning.registry, older) is True  # applied, and found to be stale
    assert counts(planning, org) == {}


def test_the_support_user_is_not_kept(planning: Planning) -> None:
    org = planning.organisation("Kotipolku ry")
    message = wish_event(str(uuid.uuid4()), org, KESKUSTA, [COOKING])
    assert apply(planning.registry, message) is True
    with planning.registry.database.session() as session:
        row = session.scalars(select(DemandWish)).one()
        stored = {column.name: getattr(row, column.name) for column in DemandWish.__table__.columns}
    assert "support_user_id" not in stored
    assert message["payload"]["support_user_id"] not in repr(stored)
    assert stored["wish_id"] == message["payload"]["wish_id"] and stored["open"] is True
