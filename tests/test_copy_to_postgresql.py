"""An organisation outgrows the embedded default: `kortisto copy-to-postgresql` moves its
installation, keys included, into PostgreSQL, and the data reads the same there."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from kortisto.copying import SERVICES, metadata_of
from kortisto.demo import DEMO_LOGINS, DEMO_PASSWORD
from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from services.reminders.operations.models import Heartbeat
from shared.database import Database
from tests.conftest import postgresql_database
from tests.live import kortisto

pytestmark = pytest.mark.slow


def counts(databases: dict[str, Database]) -> dict[str, int]:
    found = {}
    for service, database in databases.items():
        with database.session() as session:
            for table in metadata_of(service).sorted_tables:
                found[f"{service}.{table.name}"] = session.scalar(
                    select(func.count()).select_from(table)
                )
    return found


def partner_names(settings: RegistrySettings) -> list[str]:
    staff = next(login for login in DEMO_LOGINS if login.roles == ("staff",))
    with TestClient(create_app(settings)) as client:
        token = client.post(
            "/auth/login", json={"email": staff.email, "password": DEMO_PASSWORD}
        ).json()["access_token"]
        listed = client.get("/partners", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        return sorted(item["name"] for item in listed.json()["items"])


def test_an_embedded_installation_is_copied_into_postgresql_and_reads_the_same(
    tmp_path: Path, reference_data_dir: Path
) -> None:
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env |= {
        "KORTISTO_DATA_DIR": str(data_dir),
        "KORTISTO_REFERENCE_DATA_DIR": str(reference_data_dir),
        "KORTISTO_ENVIRONMENT": "test",
    }
    assert kortisto(env, "init-keys").returncode == 0  # as `kortisto up` does
    assert kortisto(env, "migrate").returncode == 0
    assert kortisto(env, "demo-data").returncode == 0
    embedded = {name: Database(f"sqlite:///{data_dir}/{name}.db", name) for name in SERVICES}
    with embedded["reminders"].session() as session:
        session.execute(insert(Heartbeat).values(at=datetime.now(UTC), worker="embedded"))

    with postgresql_database() as url:
        copied = kortisto(env, "copy-to-postgresql", url, "--keys-to", str(tmp_path / "keys"))
        assert copied.returncode == 0, copied.stderr
        assert "registry: " in copied.stdout and "rows copied" in copied.stdout
        for name in ("master.json", "jwt.pem"):
            key = tmp_path / "keys" / name
            assert key.read_bytes() == (data_dir / "keys" / name).read_bytes()
            assert key.stat().st_mode & 0o777 == 0o600

        postgres = {name: Database(url, name) for name in SERVICES}
        try:
            before, after = counts(embedded), counts(postgres)
            assert after == before and before["registry.partners"] > 0
            # A serial column goes on after the copied rows.
            with postgres["reminders"].session() as session:
                session.execute(insert(Heartbeat).values(at=datetime.now(UTC), worker="pg"))
        finally:
            for database in (*embedded.values(), *postgres.values()):
                database.dispose()

        # The copied data keys open with the installation's master key: the cards read the
        # same on PostgreSQL as on the embedded files.
        keys = {
            "master_key_file": tmp_path / "keys" / "master.json",
            "jwt_private_key_file": tmp_path / "keys" / "jwt.pem",
        }
        on_sqlite = RegistrySettings(data_dir=data_dir, environment="test", **keys)
        on_postgres = RegistrySettings(
            data_dir=tmp_path / "elsewhere", database_url=url, environment="test", **keys
        )
        assert partner_names(on_postgres) == partner_names(on_sqlite) != []

        again = kortisto(env, "copy-to-postgresql", url)
        assert again.returncode == 1 and "already holds" in again.stderr
