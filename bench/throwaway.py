"""What every benchmark runs on: a PostgreSQL database and a data folder (holding the
master key file) of its own, removed at the end unless kept for a look afterwards; and the
child processes (a Celery worker, a stack) it starts and stops."""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

ADMIN_DSN = "postgresql://root@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent.parent


def libpq_dsn(url: str) -> str:
    """A SQLAlchemy URL as psycopg and the PostgreSQL tools take it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def bench_database(admin_dsn: str, keep: bool) -> Iterator[str]:
    """A new database for this run (its SQLAlchemy URL), dropped at the end unless ``keep``."""
    name = f"kortisto_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"database {name}")
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@contextmanager
def key_directory(keep: bool) -> Iterator[Path]:
    """The data folder holding the master key file: removed at the end unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix="kortisto-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept data folder {path}")
        else:
            shutil.rmtree(path)


def reference_data_dir() -> Path:
    """The real reference data the benchmarks measure with: the folder
    KORTISTO_REFERENCE_DATA_DIR names, else ../shared/data beside the repository (as the
    tests' ``reference_data_dir`` fixture finds it); exits naming what is missing."""
    from shared.reference_data import SETTING, missing

    folder = Path(os.environ.get(SETTING) or ROOT.parent / "shared" / "data")
    lacking = missing(folder)
    if lacking:
        sys.exit(
            f"the benchmark needs the real reference data: set {SETTING} to a folder holding "
            f"{', '.join(map(str, lacking))} (looked in {folder}; "
            "`kortisto fetch-reference-data` downloads them)"
        )
    return folder


@contextmanager
def process_group(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``python <args>`` from the repository, in a session of its own, with exactly ``env``
    and its output in ``log``; stopped with its children at the end (SIGTERM, then SIGKILL
    after 30 s)."""
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
