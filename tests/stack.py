"""The running stack for cross-service tests: a Celery worker and beat on the real Redis,
and the registry as a real process, over the session's PostgreSQL database and with the
same key files as the in-process registry tests."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.registry.settings import RegistrySettings
from services.reminders.worker import QUEUES
from shared import migrations
from shared.database import Database
from tests.conftest import FAST_PASSWORDS, reference_mirror
from tests.live import free_port, healthy, process, wait_until
from tests.smtp import Inbox, smtp_server


@pytest.fixture(scope="session")
def broker_url(redis_url: str) -> str:
    # A database of its own keeps this run's queues apart from other runs on the machine.
    return redis_url.rsplit("/", 1)[0] + f"/{random.randint(1, 15)}"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Inbox]:
    """The SMTP server the stack's worker sends to."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="session")
def stack_env(
    database_urls: dict[str, str],
    broker_url: str,
    registry_settings: RegistrySettings,
    mailbox: Inbox,
) -> dict[str, str]:
    env = {f"KORTISTO_{name.upper()}_DATABASE_URL": url for name, url in database_urls.items()}
    return (
        env
        | FAST_PASSWORDS
        | {
            "KORTISTO_ENVIRONMENT": "test",
            "KORTISTO_DATA_DIR": str(registry_settings.data_dir),
            "KORTISTO_BROKER_URL": broker_url,
            "KORTISTO_RESULT_BACKEND": broker_url,
            "KORTISTO_HEARTBEAT_SECONDS": "1",
            "KORTISTO_RELAY_SECONDS": "1",
            "KORTISTO_DUE_SCAN_SECONDS": "1",
            "KORTISTO_SMTP_URL": mailbox.url,
            # Matching's vocabularies: the real ones where they are at hand.
            "KORTISTO_REFERENCE_DATA_DIR": str(reference_mirror() or ""),
        }
    )


@pytest.fixture(scope="session")
def databases(database_urls: dict[str, str]) -> Iterator[dict[str, Database]]:
    found = {name: Database(url, name) for name, url in database_urls.items()}
    for name, database in found.items():
        migrations.upgrade(name, database)
    yield found
    for database in found.values():
        database.dispose()


@pytest.fixture(scope="session")
def stack_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack-logs")


@pytest.fixture(scope="module")
def worker(
    stack_env: dict[str, str], databases: dict[str, Database], stack_logs: Path
) -> Iterator[Path]:
    """A worker serving every queue and one beat; yields the folder of their logs.

    Only for the module that asks for it: the beat scans the session's database every
    second, and left running it would claim the deliveries later tests scan themselves."""
    celery = ["-m", "celery", "-A", "services.reminders.worker"]
    with (
        process(
            [*celery, "worker", "-Q", ",".join(QUEUES), "--concurrency", "2", "--loglevel", "INFO"],
            stack_env,
            stack_logs / "worker.log",
        ),
        process(
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(stack_logs / "beat-schedule"),
            ],
            stack_env,
            stack_logs / "beat.log",
        ),
    ):
        yield stack_logs


@pytest.fixture(scope="session")
def registry_process(
    stack_env: dict[str, str], databases: dict[str, Database], stack_logs: Path
) -> Iterator[str]:
    """The registry API as a real process; yields its URL. Its log is registry.log."""
    port = free_port()
    args = ["-m", "uvicorn", "--factory", "services.registry.app:create_app", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with process(args, stack_env, stack_logs / "registry.log"):
        wait_until(lambda: healthy(url), 60, "the registry process")
        yield url


@pytest.fixture(scope="session")
def matching_process(
    stack_env: dict[str, str], registry_process: str, stack_logs: Path
) -> Iterator[str]:
    """The matching API as a real process, verifying tokens with the registry process's
    keys; yields its URL. Its log is matching.log."""
    port = free_port()
    args = ["-m", "uvicorn", "--factory", "services.matching.app:create_app", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    env = stack_env | {"KORTISTO_REGISTRY_URL": registry_process}
    with process(args, env, stack_logs / "matching.log"):
        wait_until(lambda: healthy(url), 60, "the matching process")
        yield url
