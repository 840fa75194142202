"""Monthly snapshots and trends: one snapshot per municipality and month however often the
task runs (two at once included), only published figures kept, and a planner sees month
by month what a new resource did."""

import threading
from datetime import UTC, date, datetime

from sqlalchemy import select

from services.registry.planning import snapshots
from services.registry.planning.models import TOTAL, CoverageSnapshot, CoverageSnapshotEntry
from services.registry.tasks import planning_snapshot
from services.reminders.worker import celery
from tests.registry.planning.conftest import COOKING, HOUSING, KESKUSTA, PUNAVUORI, Planning

NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def take(planning: Planning, now: datetime) -> int:
    with planning.registry.database.session() as session:
        return snapshots.take_monthly(session, now)


def test_one_snapshot_a_month_and_the_trend_shows_what_a_new_resource_did(
    planning: Planning,
) -> None:
    org = planning.organisation("Kotipolku ry")
    planning.partners(org, KESKUSTA, [COOKING], 6)
    planning.wishes(org, KESKUSTA, [COOKING], 8)
    assert take(planning, NOVEMBER) == 1
    assert take(planning, NOVEMBER.replace(day=28)) == 0  # same month: nothing new
    planning.partners(org, KESKUSTA, [COOKING], 3)  # a new resource
    planning.wishes(org, KESKUSTA, [COOKING], 1)
    assert take(planning, DECEMBER) == 1

    trend = planning.get("/planning/trends", district=KESKUSTA, category=COOKING).json()
    assert trend["k"] == 5
    assert [
        (p["month"], p["supply"], p["demand"], p["supply_change"], p["demand_change"])
        for p in trend["points"]
    ] == [("2026-11-01", 6, 8, None, None), ("2026-12-01", 9, 9, 3, 1)]
    grand = planning.get("/planning/trends").json()
    assert [p["supply"] for p in grand["points"]] == [6, 9]
    latest = planning.get("/planning/trends", months=1).json()
    assert [p["month"] for p in latest["points"]] == ["2026-12-01"]


def test_a_snapshot_keeps_only_what_was_published(planning: Planning) -> None:
    org = planning.organisation("Kotipolku ry")
    planning.partners(org, KESKUSTA, [COOKING], 6)
    planning.partners(org, KESKUSTA, [HOUSING], 2)
    planning.partners(org, PUNAVUORI, [COOKING], 9)
    planning.partners(org, PUNAVUORI, [HOUSING], 7)
    assert take(planning, NOVEMBER) == 1
    with planning.registry.database.session() as session:
        stored = {
            (e.district_code, e.category_code): e.supply
            for e in session.scalars(select(CoverageSnapshotEntry))
        }
    assert stored[(KESKUSTA, HOUSING)] is None
    assert sum(1 for value in stored.values() if value is None) >= 4  # and its protection
    assert stored[(TOTAL, TOTAL)] == 24
    trend = planning.get("/planning/trends", district=KESKUSTA, category=HOUSING).json()
    assert trend["points"][0]["supply"] is None and trend["points"][0]["supply_suppressed"]


def test_the_month_is_the_municipalitys_own(planning: Planning) -> None:
    # 22:30 UTC on 30 November is already December in Helsinki.
    assert take(planning, datetime(2026, 11, 30, 22, 30, tzinfo=UTC)) == 1
    with planning.registry.database.session() as session:
        (month,) = session.scalars(select(CoverageSnapshot.month)).all()
    assert month == date(2026, 12, 1)


def test_two_runs_at_once_take_one_snapshot(planning: Planning) -> None:
    database = planning.registry.database
    first = database.sessions()
    assert snapshots.take(first, planning.municipality, NOVEMBER) is True  # not committed yet
    results: list[bool] = []

    def second() -> None:
        with database.session() as session:
            results.append(snapshots.take(session, planning.municipality, NOVEMBER))

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # waits on the first one's month
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert results == [False]
    with database.session() as session:
        assert len(session.scalars(select(CoverageSnapshot)).all()) == 1


def test_every_planning_organisation_gets_one_and_beat_runs_the_task(planning: Planning) -> None:
    association = planning.organisation("Kotipolku ry", shares=False)
    planning.world.member(association, "planner")
    assert take(planning, NOVEMBER) == 2  # the municipality and an association with a planner
    entries = [
        entry
        for entry in celery.conf.beat_schedule.values()
        if entry["task"] == "registry.planning.snapshot"
    ]
    assert len(entries) == 1
    assert planning_snapshot.name == "registry.planning.snapshot"


def test_trends_of_an_unknown_district_are_refused(planning: Planning) -> None:
    response = planning.client.get(
        "/planning/trends", headers=planning.planner.headers, params={"district": "99999"}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "district"
