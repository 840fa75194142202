"""Real stores for the whole suite, on the engine ``KORTISTO_TEST_ENGINE`` names:
``postgresql`` (a fresh database per test session, dropped at the end) or ``sqlite`` (one
file per service in the session's temporary folder, as the embedded default keeps them),
and the machine's Redis. None is ever replaced by a stand-in; if one is not running the
tests that need it fail with a clear message.

On SQLite only the tests that touch a service's database run (those that use
``database_urls``); a test that cannot run there says why with ``postgresql_only``."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, text

from services.registry.app import create_app
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.database import Database, is_sqlite, set_sqlite_foreign_keys
from shared.reference_data import SETTING, missing

pytest_plugins = ["tests.stack"]

PG_ADMIN_DSN = os.environ.get("KORTISTO_TEST_PG_ADMIN", "postgresql://root@127.0.0.1:5432/postgres")
# Argon2id at its production cost takes a third of a second per hash; tests that create
# hundreds of logins use the cheapest cost (the production defaults are tested on their own).
FAST_PASSWORDS = {
    "KORTISTO_PASSWORD_TIME_COST": "1",
    "KORTISTO_PASSWORD_MEMORY_KIB": "1024",
    "KORTISTO_PASSWORD_PARALLELISM": "1",
}
REDIS_URL = os.environ.get("KORTISTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ENGINES = ("postgresql", "sqlite")
ENGINE = os.environ.get("KORTISTO_TEST_ENGINE", "postgresql")
if ENGINE not in ENGINES:
    raise pytest.UsageError(f"KORTISTO_TEST_ENGINE must be one of {', '.join(ENGINES)}")
SERVICES = ("registry", "matching", "reminders")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgresql_only(reason): the test cannot run on SQLite, for the reason given",
    )


def pytest_report_header() -> str:
    return f"database engine: {ENGINE} (KORTISTO_TEST_ENGINE)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENGINE != "sqlite":
        return
    kept, left = [], []
    for item in items:
        marker = item.get_closest_marker("postgresql_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs["reason"]
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))
        touches_database = "database_urls" in getattr(item, "fixturenames", ())
        (kept if touches_database or marker is not None else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of a PostgreSQL database made for this test session, whatever the
    engine: for tests about PostgreSQL itself."""
    with postgresql_database() as url:
        yield url


@contextmanager
def postgresql_database() -> Iterator[str]:
    name = f"kortisto_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Each service's database URL on the session's engine: on PostgreSQL one database whose
    schemas the services share, on SQLite one file per service."""
    if ENGINE == "sqlite":
        folder = tmp_path_factory.mktemp("databases")
        yield {name: f"sqlite:///{folder / name}.db" for name in SERVICES}
        return
    with postgresql_database() as url:
        yield dict.fromkeys(SERVICES, url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


# The real reference data, for tests that need it: the folder KORTISTO_REFERENCE_DATA_DIR
# names, else ../shared/data beside the repository (a local mirror of the public origins).
REFERENCE_MIRROR = Path(
    os.environ.get(SETTING) or Path(__file__).resolve().parents[2] / "shared" / "data"
)


def reference_mirror() -> Path | None:
    """The mirror when it holds every file the code reads, else None."""
    return None if missing(REFERENCE_MIRROR) else REFERENCE_MIRROR


def pytest_itemcollected(item: pytest.Item) -> None:
    """A test that needs the real reference data, through any fixture, is marked so (it
    can be left out with ``-m "not reference_data"``)."""
    if "reference_data_dir" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.reference_data)


@pytest.fixture(scope="session")
def reference_data_dir() -> Path:
    """The folder of the real reference data (Helsinki postal areas, PTV service classes,
    YSO labels, LIPAS types). Without it the test is skipped, naming what it needs; under
    CI (CI=true) it fails instead, since CI must have the data."""
    found = reference_mirror()
    if found is None:
        message = (
            f"needs the real reference data: set {SETTING} to a folder holding "
            f"{', '.join(str(p) for p in missing(REFERENCE_MIRROR))} "
            f"(looked in {REFERENCE_MIRROR}; `kortisto fetch-reference-data` downloads them)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(autouse=True)
def _reference_data_marker(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.reference_data`` on a test asks for :func:`reference_data_dir`."""
    if request.node.get_closest_marker("reference_data") is not None:
        request.getfixturevalue("reference_data_dir")


@pytest.fixture(scope="session")
def registry_settings(
    database_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> RegistrySettings:
    data_dir = tmp_path_factory.mktemp("registry")
    return RegistrySettings(
        database_url=database_urls["registry"],
        data_dir=data_dir,
        environment="test",
        password_time_cost=1,
        password_memory_kib=1024,
        password_parallelism=1,
    )


@pytest.fixture(scope="session")
def registry_app(registry_settings: RegistrySettings) -> TestClient:
    app = create_app(registry_settings)
    migrations.upgrade("registry", app.state.registry.database)
    return TestClient(app)


KEEP = {"alembic_version", "data_keys"}  # keys stay: the keyring caches them per process


def empty_schema(database: Database, schema: str) -> None:
    """Every table of a service's schema emptied, but the keys (see ``KEEP``)."""
    if database.dialect == "sqlite":
        with database.engine.connect() as conn:
            set_sqlite_foreign_keys(conn, False)  # so that the order of the deletes is free
            tables = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
            for table in tables:
                if table not in KEEP and not table.startswith("sqlite_"):
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')
            conn.commit()
            set_sqlite_foreign_keys(conn, True)
        return
    with database.session() as session:
        tables = session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
            {"schema": schema},
        ).all()
        names = ", ".join(f'{schema}."{t}"' for t in tables if t not in KEEP)
        session.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture
def registry(registry_app: TestClient) -> Iterator[Registry]:
    """The registry's runtime for one test; every table but the keys is emptied after it."""
    runtime: Registry = registry_app.app.state.registry  # type: ignore[attr-defined]
    yield runtime
    empty_schema(runtime.database, "registry")


@contextmanager
def scratch_database(
    database_urls: dict[str, str], folder: Path, metadata: MetaData
) -> Iterator[Database]:
    """The tables of ``metadata`` (a schema of a test's own) made on the session's engine,
    and dropped afterwards: a file in ``folder`` on SQLite, a schema on PostgreSQL."""
    schema = str(metadata.schema)
    url = database_urls["registry"]
    database = Database(f"sqlite:///{folder}/{schema}.db" if is_sqlite(url) else url, schema)
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        metadata.create_all(conn)
    try:
        yield database
    finally:
        if database.dialect == "postgresql":
            with database.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        database.dispose()
