"""Every reminders operation fuzzed from its own OpenAPI description, as a staff member who
is also the organisation's admin and coordinator (see ``tests/fuzzing.py``)."""

import uuid

import pytest
from fastapi.testclient import TestClient

from services.registry.runtime import Registry
from shared.auth import Principal
from tests.conftest import empty_schema
from tests.fuzzing import fuzz, report
from tests.reminders.running import reminders_beside


@pytest.mark.fuzz
def test_no_reminders_operation_fails_on_any_input(
    database_urls: dict[str, str], registry_app: TestClient
) -> None:
    registry: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    with reminders_beside(registry_app, database_urls["reminders"]) as app:
        database = app.state.reminders.database
        empty_schema(database, "reminders")  # other tests' services share the database
        roles = frozenset({"staff", "admin", "coordinator"})
        token = registry.issuer.issue(Principal("fuzz-1", str(uuid.uuid4()), roles))
        try:
            ran, findings = fuzz(app, {"Authorization": f"Bearer {token}"}, examples=10)
        finally:
            empty_schema(database, "reminders")
    assert ran > 30
    assert not findings, report(findings)
