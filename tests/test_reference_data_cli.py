"""`kortisto migrate` and `kortisto fetch-reference-data` as an operator runs them on the
embedded default (SQLite files in a fresh data folder): the real reference data from a
folder, and without it one message and, outside production, the made-up demo set."""

import os
import sqlite3
import subprocess
from pathlib import Path

from shared.reference_data.manifest import DEMO_SOURCE
from tests import live
from tests.live import free_port


def kortisto(data_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env.update(
        KORTISTO_DATA_DIR=str(data_dir),
        # Nothing answers here: the machine is offline as far as Kortisto can tell.
        KORTISTO_REFERENCE_DATA_URL=f"http://127.0.0.1:{free_port()}",
        **settings,
    )
    return live.kortisto(env, *args, timeout=120)


def default_districts(data_dir: Path) -> dict[str, str]:
    """Code -> source of the default districts in the registry's SQLite file."""
    with sqlite3.connect(data_dir / "registry.db") as db:
        rows = db.execute("SELECT code, source FROM districts WHERE organisation_id IS NULL")
        return dict(rows.fetchall())


def test_offline_on_a_first_start_one_message_and_the_demo_set(tmp_path: Path) -> None:
    done = kortisto(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("KORTISTO_REFERENCE_DATA_DIR") == 1
    assert "could not be downloaded" in done.stderr and "demo set" in done.stderr
    assert "Traceback" not in done.stderr
    assert "demo data: 6 districts and 16 categories" in done.stdout
    assert set(default_districts(tmp_path).values()) == {DEMO_SOURCE}
    assert not [p for p in (tmp_path / "reference").rglob("*") if p.is_file()]

    again = kortisto(tmp_path, "migrate")
    assert "demo data: 0 districts and 0 categories" in again.stdout


def test_offline_in_production_nothing_made_up_is_loaded(tmp_path: Path) -> None:
    assert kortisto(tmp_path, "init-keys").returncode == 0
    done = kortisto(tmp_path, "migrate", KORTISTO_ENVIRONMENT="production")
    assert done.returncode == 0, done.stderr
    assert "KORTISTO_REFERENCE_DATA_DIR" in done.stderr
    assert "were not changed" in done.stderr
    assert default_districts(tmp_path) == {}


def test_fetching_offline_fails_with_the_message(tmp_path: Path) -> None:
    done = kortisto(tmp_path, "fetch-reference-data")
    assert done.returncode == 1
    assert "KORTISTO_REFERENCE_DATA_DIR" in done.stderr
    assert "fi-yso-labels/yso-ysoplaces-cicero-fi.tsv" in done.stderr


def test_the_folder_the_operator_names_is_loaded_and_replaces_nothing_made_up(
    tmp_path: Path, reference_data_dir: Path
) -> None:
    offline = kortisto(tmp_path, "migrate")
    assert "demo data" in offline.stdout
    done = kortisto(tmp_path, "migrate", KORTISTO_REFERENCE_DATA_DIR=str(reference_data_dir))
    assert done.returncode == 0, done.stderr
    assert "reference data: 84 districts and 228 categories" in done.stdout
    assert done.stderr == ""
    districts = default_districts(tmp_path)
    assert districts["00530"].startswith("Statistics Finland")
    assert districts["DEMO-1"] == DEMO_SOURCE  # what partners may refer to stays

    # Once the real defaults are in, an offline start leaves them as they are.
    later = kortisto(tmp_path, "migrate")
    assert "were not changed" in later.stderr
    assert default_districts(tmp_path) == districts
