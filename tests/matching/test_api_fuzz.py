"""Every matching operation fuzzed from its own OpenAPI description, as a staff member who
is also the organisation's admin and coordinator (see ``tests/fuzzing.py``)."""

import pytest

from tests.fuzzing import fuzz, report
from tests.matching.conftest import Org


@pytest.mark.fuzz
def test_no_matching_operation_fails_on_any_input(orgs: list[Org]) -> None:
    org = orgs[0]
    headers = org.headers("staff", "admin", "coordinator")
    ran, findings = fuzz(org.client.app, headers, examples=10)
    assert ran > 30
    assert not findings, report(findings)
