"""The access log is a hash chain per owner: editing, removing or truncating entries is
found by the API and by `kortisto verify-access-log`."""

import os
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy import ColumnElement, delete, update

from services.registry.access.models import AccessEntry
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from tests.live import ROOT
from tests.registry.conftest import World, add_partner, organisation_card


def reads(client: TestClient, world: World, count: int) -> tuple[dict[str, str], str]:
    owner = world.member(world.organisation("Owner"), "admin", "staff")
    reader = world.member(world.organisation("Reader"), "staff")
    partner = add_partner(
        client,
        owner,
        organisation_card("Luettava"),
        "file",
        f"organisation:{reader.organisation_id}",
    )
    for _ in range(count):
        assert client.get(f"/partners/{partner['id']}", headers=reader.headers).status_code == 200
    return owner.headers, owner.organisation_id


def verify(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    result: dict[str, object] = client.get("/access-log/verify", headers=headers).json()
    return result


def entry(organisation_id: str, seq: int) -> tuple[ColumnElement[bool], ...]:
    return (AccessEntry.owner_organisation_id == organisation_id, AccessEntry.seq == seq)


def test_an_edited_entry_is_found(client: TestClient, world: World, registry: Registry) -> None:
    headers, org = reads(client, world, 3)
    assert verify(client, headers)["valid"] is True
    with registry.database.session() as session:
        session.execute(update(AccessEntry).where(*entry(org, 2)).values(action="search"))
    result = verify(client, headers)
    assert result["valid"] is False and result["first_broken_seq"] == 2


def test_a_removed_entry_is_found(client: TestClient, world: World, registry: Registry) -> None:
    headers, org = reads(client, world, 3)
    with registry.database.session() as session:
        session.execute(delete(AccessEntry).where(*entry(org, 2)))
    assert verify(client, headers)["problem"] == "an entry is missing"


def test_a_removed_tail_is_found(client: TestClient, world: World, registry: Registry) -> None:
    headers, org = reads(client, world, 3)
    with registry.database.session() as session:
        session.execute(delete(AccessEntry).where(*entry(org, 3)))
    assert verify(client, headers)["problem"] == "entries at the end were removed"


def test_the_command_line_check(
    client: TestClient, world: World, registry: Registry, registry_settings: RegistrySettings
) -> None:
    _, org = reads(client, world, 2)
    env = {
        **os.environ,
        "KORTISTO_REGISTRY_DATABASE_URL": registry_settings.database_url,
        "KORTISTO_DATA_DIR": str(registry_settings.data_dir),
        "KORTISTO_ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "kortisto.cli", "verify-access-log", "--org", org]
    good = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    assert "2 entries, ok" in good.stdout
    with registry.database.session() as session:
        session.execute(
            update(AccessEntry).where(*entry(org, 1)).values(reader="user:someone-else")
        )
    bad = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "BROKEN at 1" in bad.stdout
