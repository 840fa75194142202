"""Reference data on the registry's real PostgreSQL schema: the default districts and
categories loaded from ../shared/data, driven over HTTP."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.registry.districts import models as district_models
from services.registry.districts.api import router as districts_router
from services.registry.models import Base
from services.registry.partners import models as partner_models
from services.registry.reference import models as reference_models
from services.registry.reference.api import router as reference_router
from services.registry.reference.defaults import load_defaults
from services.registry.runtime import Registry

# Until the registry's Alembic migration creates these tables and app.py includes these
# routers, the tests add them; both steps are no-ops once the real ones are in place.
# TODO(lead): remove `prepare_registry` when the migration and app.py have them.
NEW_TABLES = [
    reference_models.District.__table__,
    reference_models.DistrictNeighbour.__table__,
    reference_models.Category.__table__,
    district_models.KnowledgeNote.__table__,
    district_models.DistrictAssignment.__table__,
    partner_models.Partner.__table__,
]


def prepare_registry(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    registry: Registry = app.state.registry
    Base.metadata.create_all(registry.database.engine, tables=NEW_TABLES, checkfirst=True)
    paths = {getattr(route, "path", None) for route in app.routes}
    for path, router in (("/districts", reference_router), ("/district-notes", districts_router)):
        if path not in paths:
            app.include_router(router)


@pytest.fixture(scope="session", autouse=True)
def _reference_schema(registry_app: TestClient) -> None:
    prepare_registry(registry_app)


@pytest.fixture
def defaults(registry: Registry) -> Iterator[tuple[int, int]]:
    """The default districts and categories, loaded for one test (the ``registry`` fixture
    empties every table afterwards)."""
    with registry.database.session() as session:
        loaded = load_defaults(session, registry.settings.reference_data_dir)
    yield loaded
