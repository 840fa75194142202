"""Waiting, in a test, for one PostgreSQL transaction to be blocked by another: how a test
makes two transactions race in a known order instead of hoping for it."""

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.database import Database


def backend_of(session: Session) -> int:
    """The PostgreSQL backend serving ``session``'s transaction."""
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def wait_until_blocked_by(database: Database, backend: int, timeout: float = 10) -> None:
    """Returns once some transaction waits on a lock that ``backend`` holds."""
    deadline = time.monotonic() + timeout
    # Autocommit: a transaction would see pg_stat_activity as it was at its first read,
    # and miss a second transaction that connected after it.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        while not watcher.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
            {"pid": backend},
        ).scalar_one():
            assert time.monotonic() < deadline, "the second transaction never waited"
            time.sleep(0.02)
