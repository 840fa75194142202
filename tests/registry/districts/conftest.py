"""District work on the registry's real PostgreSQL schema, with the default districts."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.registry.reference.defaults import load_defaults
from services.registry.runtime import Registry
from tests.registry.reference.conftest import prepare_registry


@pytest.fixture(scope="session", autouse=True)
def _district_schema(registry_app: TestClient) -> None:
    prepare_registry(registry_app)  # TODO(lead): remove with the one in reference/conftest.py


@pytest.fixture(autouse=True)
def defaults(registry: Registry) -> Iterator[tuple[int, int]]:
    with registry.database.session() as session:
        loaded = load_defaults(session, registry.settings.reference_data_dir)
    yield loaded
