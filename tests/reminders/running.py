"""Reminders as the tests run it: over the session's database, with the registry's key
files, verifying tokens with the registry's keys served over HTTP, migrated; and an
organisation's quiet hours kept away from the time the tests run at."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.registry.runtime import Registry
from services.reminders.app import create_app
from services.reminders.schedules.service import policy
from services.reminders.settings import RemindersSettings
from shared import migrations
from shared.database import Database
from tests.live import serve


@contextmanager
def reminders_beside(
    registry_app: TestClient, database_url: str, **settings: Any
) -> Iterator[FastAPI]:
    """The reminders app; ``settings`` adds to or replaces the test defaults."""
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    with serve(registry_app.app) as registry_url:  # type: ignore[arg-type]
        app = create_app(
            RemindersSettings(
                database_url=database_url,
                data_dir=registry.settings.data_dir,
                environment="test",
                registry_url=registry_url,
                **settings,
            )
        )
        migrations.upgrade("reminders", app.state.reminders.database)
        yield app


def quiet_hours_away_from_now(zone: str) -> tuple[time, time]:
    """One quiet hour starting three hours from now in ``zone``.

    The default quiet hours (21–08) hold every e-mail written in them until morning, so a
    test that waits for an e-mail would pass or fail by the time of day it runs at."""
    hour = datetime.now(ZoneInfo(zone)).hour
    return time((hour + 3) % 24), time((hour + 4) % 24)


def set_quiet_hours(
    database: Database, organisation_id: str, hours: tuple[time, time] | None = None
) -> None:
    """Sets the organisation's quiet hours (its clock is made if missing); without
    ``hours``, one hour starting three hours from now in its time zone."""
    with database.session() as session:
        clock = policy(session, organisation_id)
        clock.quiet_start, clock.quiet_end = hours or quiet_hours_away_from_now(clock.timezone)
