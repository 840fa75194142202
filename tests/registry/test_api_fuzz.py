"""Every registry operation fuzzed from its own OpenAPI description, as an admin of an
organisation with the reference data loaded (see ``tests/fuzzing.py``)."""

import pytest
from fastapi.testclient import TestClient

from tests.fuzzing import fuzz, report
from tests.registry.conftest import World


@pytest.mark.fuzz
def test_no_registry_operation_fails_on_any_input(
    registry_app: TestClient, world: World, reference_data: None
) -> None:
    admin = world.member(world.organisation("Fuzz ry"), "admin", "staff")
    # Logging out would end the admin's session for the operations after it.
    ran, findings = fuzz(
        registry_app.app, admin.headers, examples=10, skip=frozenset({"POST /auth/logout"})
    )
    assert ran > 60
    assert not findings, report(findings)
