"""Fixtures for the portal: the app in-process (pages that need no registry), and the registry
and portal as real processes on free ports over the session's PostgreSQL database."""

import base64
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.app import SESSION_COOKIE, create_app
from services.portal.settings import PortalSettings
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.database import Database

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
# Short-lived access tokens make every test that runs longer than this exercise refreshing.
ACCESS_TOKEN_SECONDS = 3

ANNA_EMAIL = "anna@example.org"
ANNA_PASSWORD = "correct horse battery"
ANNA_NAME = "Anna Staff"


# -- in-process ------------------------------------------------------------------------


class RegistrySpy:
    """A real HTTP server standing where the registry would be, recording every request:
    proves which pages never call the registry."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        spy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                spy.requests.append(f"{self.command} {self.path}")
                self.send_response(503)
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def registry_spy() -> Iterator[RegistrySpy]:
    spy = RegistrySpy()
    yield spy
    spy.close()


@pytest.fixture
def portal_settings(tmp_path: Path, registry_spy: RegistrySpy) -> PortalSettings:
    return PortalSettings(data_dir=tmp_path, registry_url=registry_spy.url, environment="test")


@pytest.fixture
def client(portal_settings: PortalSettings) -> Iterator[TestClient]:
    with TestClient(create_app(portal_settings)) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def session_of(cookie_value: str) -> dict[str, Any]:
    """What the signed session cookie carries (signed, not encrypted: anyone holding the
    cookie can read it, which is why it must hold no personal data)."""
    payload = cookie_value.split(".", 1)[0]
    decoded: dict[str, Any] = json.loads(base64.b64decode(payload))
    return decoded


def client_session(test_client: TestClient | httpx.Client) -> dict[str, Any]:
    value = test_client.cookies.get(SESSION_COOKIE)
    return session_of(value) if value else {}


# -- real processes --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_service(name: str, factory: str, env: dict[str, str], log_dir: Path) -> Service:
    port = free_port()
    log_path = log_dir / f"{name}.stderr.log"
    # stderr goes to a file, never a pipe: a full pipe would block the service.
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Service(name, f"http://127.0.0.1:{port}", process, log_path)


def wait_healthy(service: Service, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with {service.process.returncode}:\n{service.log()}"
            )
        try:
            if httpx.get(f"{service.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{service.name} not healthy after {timeout}s:\n{service.log()}")
        time.sleep(0.2)


def stop_service(service: Service) -> None:
    if service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()


@dataclass
class PortalStack:
    env: dict[str, str]
    organisation_id: str = ""
    registry: Service | None = None
    portal: Service | None = None
    services: list[Service] = field(default_factory=list)

    @property
    def portal_url(self) -> str:
        assert self.portal is not None
        return self.portal.url

    @property
    def registry_url(self) -> str:
        assert self.registry is not None
        return self.registry.url

    def cli(self, *args: str) -> str:
        """Runs ``kortisto <args>`` with the stack's environment; returns its last line."""
        done = subprocess.run(
            [sys.executable, "-m", "kortisto.cli", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"kortisto {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        lines = done.stdout.strip().splitlines()
        return lines[-1].strip() if lines else ""

    def create_org(self, name: str, kind: str = "support_provider") -> str:
        return self.cli("create-org", name, "--kind", kind)

    def create_user(
        self, email: str, organisation_id: str, roles: list[str], name: str, password: str
    ) -> str:
        role_args = [arg for role in roles for arg in ("--role", role)]
        return self.cli(
            "create-user", email, "--org", organisation_id, *role_args,
            "--password", password, "--name", name,
        )  # fmt: skip

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.log()}" for s in self.services)


@pytest.fixture(scope="session")
def portal_stack(
    pg_url: str,
    registry_settings: RegistrySettings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PortalStack]:
    """The registry and the portal as real processes, with one staff member (Anna) in
    "Test Org" (``stack.organisation_id``). Access tokens live a few seconds only."""
    data_dir = tmp_path_factory.mktemp("portal-stack")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KORTISTO_")}
    env.update(
        KORTISTO_REGISTRY_DATABASE_URL=pg_url,
        KORTISTO_DATA_DIR=str(data_dir),
        # The session's database is shared with the in-process registry tests, which keep
        # the wrapped data keys between tests: both must wrap them with the same master key.
        KORTISTO_MASTER_KEY_FILE=str(registry_settings.resolved_master_key_file()),
        KORTISTO_ENVIRONMENT="test",
        KORTISTO_ACCESS_TOKEN_SECONDS=str(ACCESS_TOKEN_SECONDS),
    )
    stack = PortalStack(env)
    # Only the registry's schema: the portal talks to nothing else, and the other services'
    # migrations are not this suite's concern.
    database = Database(pg_url, "registry")
    try:
        migrations.upgrade("registry", database)
    finally:
        database.dispose()
    stack.organisation_id = stack.create_org("Test Org")
    stack.create_user(ANNA_EMAIL, stack.organisation_id, ["staff"], ANNA_NAME, ANNA_PASSWORD)
    try:
        stack.registry = start_service(
            "registry", "services.registry.app:create_app", env, data_dir
        )
        stack.services.append(stack.registry)
        wait_healthy(stack.registry)
        env["KORTISTO_REGISTRY_URL"] = stack.registry.url
        stack.portal = start_service("portal", "services.portal.app:create_app", env, data_dir)
        stack.services.append(stack.portal)
        wait_healthy(stack.portal)
        yield stack
    finally:
        for service in reversed(stack.services):
            stop_service(service)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test that used the processes gets their output in its report."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    stack = getattr(item, "funcargs", {}).get("portal_stack")
    if report.failed and isinstance(stack, PortalStack):
        for service in stack.services:
            report.sections.append((f"{service.name} output", service.log()[-20000:]))
