"""Reminders as the tests run it: over the session's database, with the registry's key
files, verifying tokens with the registry's keys served over HTTP, migrated."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.registry.runtime import Registry
from services.reminders.app import create_app
from services.reminders.settings import RemindersSettings
from shared import migrations
from tests.live import serve


@contextmanager
def reminders_beside(registry_app: TestClient, pg_url: str, **settings: Any) -> Iterator[FastAPI]:
    """The reminders app; ``settings`` adds to or replaces the test defaults."""
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    with serve(registry_app.app) as registry_url:  # type: ignore[arg-type]
        app = create_app(
            RemindersSettings(
                database_url=pg_url,
                data_dir=registry.settings.data_dir,
                environment="test",
                registry_url=registry_url,
                **settings,
            )
        )
        migrations.upgrade("reminders", app.state.reminders.database)
        yield app
