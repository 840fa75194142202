"""Fixtures for the portal: the app in-process (pages that need no registry), and the registry,
matching, reminders and the portal as real processes on free ports over the session's
PostgreSQL database."""

import base64
import http.server
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select, update

from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
from services.matching.tasks import apply
from services.portal.app import SESSION_COOKIE, create_app
from services.portal.settings import PortalSettings
from services.registry.models import outbox as registry_outbox
from services.registry.reference.events import reference_payload
from services.registry.settings import RegistrySettings
from services.reminders import tasks as reminder_tasks
from services.reminders.deliveries import sending
from services.reminders.deliveries.service import run_due_scan
from services.reminders.runtime import Reminders
from services.reminders.schedules.models import Schedule
from services.reminders.settings import RemindersSettings
from shared.database import Database, utcnow
from tests.conftest import FAST_PASSWORDS
from tests.matching.conftest import index_partner

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
# Short-lived access tokens make every test that runs longer than this exercise refreshing.
ACCESS_TOKEN_SECONDS = 3

ANNA_EMAIL = "anna@example.org"
ANNA_PASSWORD = "correct horse battery"
ANNA_NAME = "Anna Staff"
# An admin of Anna's organisation, and a staff member of another organisation that shares
# a pool with it ("Kallion verkosto"). Everyone has Anna's password.
OLLI_EMAIL = "olli@example.org"
OLLI_NAME = "Olli Admin"
PEKKA_EMAIL = "pekka@example.org"
PEKKA_NAME = "Pekka Peer"
PEER_ORGANISATION = "Kallio ry"
POOL_NAME = "Kallion verkosto"


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


class Elements(HTMLParser):
    """Every element's tag and attributes, and the text inside elements with an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes and tag not in ("input", "meta", "link"):
            self._open_ids.append((tag, attributes["id"]))
            self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open_ids:
            self.text_by_id[element_id] += data

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attributes
            for name, attributes in self.elements
            if name == tag and all(attributes.get(k) == v for k, v in wanted.items())
        ]

    def text_of(self, element_id: str) -> str:
        return " ".join(self.text_by_id.get(element_id, "").split())


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
    peer_organisation_id: str = ""
    pool_id: str = ""
    registry: Service | None = None
    matching: Service | None = None
    reminders: Service | None = None
    portal: Service | None = None
    services: list[Service] = field(default_factory=list)
    # Matching in this process, over the same database and keys as the matching process:
    # what the tests use to apply the events the registry would send it.
    matching_runtime: Matching | None = None
    # Reminders in this process, over the same database and keys as the reminders process,
    # sending e-mail to the test SMTP server: what the tests use for the worker's part
    # (applying the registry's events, the due scan, sending).
    reminders_runtime: Reminders | None = None

    @property
    def portal_url(self) -> str:
        assert self.portal is not None
        return self.portal.url

    @property
    def registry_url(self) -> str:
        assert self.registry is not None
        return self.registry.url

    @property
    def matching_url(self) -> str:
        assert self.matching is not None
        return self.matching.url

    @property
    def reminders_url(self) -> str:
        assert self.reminders is not None
        return self.reminders.url

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

    def api_token(self, email: str, password: str = ANNA_PASSWORD) -> dict[str, str]:
        """Headers with a fresh registry access token of ``email``, for setting things up
        through the registry's API as that person would."""
        response = httpx.post(
            f"{self.registry_url}/auth/login", json={"email": email, "password": password}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} ---\n{s.log()}" for s in self.services)


class Inbox:
    """A real SMTP server on a free port, keeping what it received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    server = Inbox()
    yield server
    server.close()


@pytest.fixture(scope="session")
def portal_stack(
    database_urls: dict[str, str],
    registry_settings: RegistrySettings,
    tmp_path_factory: pytest.TempPathFactory,
    inbox: Inbox,
    reference_data_dir: Path,
) -> Iterator[PortalStack]:
    """The registry, matching, reminders and the portal as real processes on the session's
    database with the default districts and categories: Anna (staff) and Olli (admin, staff)
    in "Test Org" (``stack.organisation_id``), Pekka (admin, staff) in "Kallio ry"
    (``stack.peer_organisation_id``), both organisations active in one sharing pool
    (``stack.pool_id``). Access tokens live a few seconds only. Reminders runs on the
    embedded broker in the stack's folder (nothing else reads its queues) and no worker:
    tests do the worker's part with :func:`relay_to_reminders` and :func:`scan_reminders`."""
    data_dir = tmp_path_factory.mktemp("portal-stack")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KORTISTO_")}
    env.update(
        KORTISTO_REGISTRY_DATABASE_URL=database_urls["registry"],
        KORTISTO_MATCHING_DATABASE_URL=database_urls["matching"],
        KORTISTO_REMINDERS_DATABASE_URL=database_urls["reminders"],
        KORTISTO_DATA_DIR=str(data_dir),
        # The session's database is shared with the in-process registry tests, which keep
        # the wrapped data keys between tests: both must wrap them with the same master key.
        KORTISTO_MASTER_KEY_FILE=str(registry_settings.resolved_master_key_file()),
        KORTISTO_ENVIRONMENT="test",
        **FAST_PASSWORDS,
        KORTISTO_ACCESS_TOKEN_SECONDS=str(ACCESS_TOKEN_SECONDS),
        # Matching counts its index afresh for every ranking, as in matching's own tests: a
        # test indexes a resource and asks for it at once, and the stack outlives the
        # tables that other tests empty and fill under it.
        KORTISTO_STATISTICS_SECONDS="0",
        # The pages are tested on the Helsinki postal areas and the national classes.
        KORTISTO_REFERENCE_DATA_DIR=str(reference_data_dir),
    )
    stack = PortalStack(env)
    # Every service's schema, and the default districts and categories.
    stack.cli("migrate")
    stack.organisation_id = stack.create_org("Test Org")
    stack.create_user(ANNA_EMAIL, stack.organisation_id, ["staff"], ANNA_NAME, ANNA_PASSWORD)
    stack.create_user(
        OLLI_EMAIL, stack.organisation_id, ["admin", "staff"], OLLI_NAME, ANNA_PASSWORD
    )
    stack.peer_organisation_id = stack.create_org(PEER_ORGANISATION, "association")
    stack.create_user(
        PEKKA_EMAIL, stack.peer_organisation_id, ["admin", "staff"], PEKKA_NAME, ANNA_PASSWORD
    )
    try:
        stack.registry = start_service(
            "registry", "services.registry.app:create_app", env, data_dir
        )
        stack.services.append(stack.registry)
        wait_healthy(stack.registry)
        stack.pool_id = _pool_of_both(stack)
        env["KORTISTO_REGISTRY_URL"] = stack.registry.url
        stack.matching = start_service(
            "matching", "services.matching.app:create_app", env, data_dir
        )
        stack.services.append(stack.matching)
        wait_healthy(stack.matching)
        stack.matching_runtime = Matching.build(
            MatchingSettings(
                database_url=database_urls["matching"],
                data_dir=data_dir,
                master_key_file=registry_settings.resolved_master_key_file(),
                registry_url=stack.registry.url,
                environment="test",
            )
        )
        env["KORTISTO_MATCHING_URL"] = stack.matching.url
        stack.reminders = start_service(
            "reminders", "services.reminders.app:create_app", env, data_dir
        )
        stack.services.append(stack.reminders)
        wait_healthy(stack.reminders)
        env["KORTISTO_REMINDERS_URL"] = stack.reminders.url
        stack.portal = start_service("portal", "services.portal.app:create_app", env, data_dir)
        stack.services.append(stack.portal)
        wait_healthy(stack.portal)
        stack.reminders_runtime = Reminders.build(
            RemindersSettings(
                database_url=database_urls["reminders"],
                data_dir=data_dir,
                master_key_file=registry_settings.resolved_master_key_file(),
                registry_url=stack.registry.url,
                # Unsubscribe links point at the portal, which passes them on to reminders.
                portal_url=stack.portal.url,
                environment="test",
                smtp_url=inbox.url,
            )
        )
        yield stack
    finally:
        for service in reversed(stack.services):
            stop_service(service)
        if stack.matching_runtime is not None:
            stack.matching_runtime.database.dispose()
        if stack.reminders_runtime is not None:
            stack.reminders_runtime.database.dispose()


def _pool_of_both(stack: PortalStack) -> str:
    """Olli creates the pool and invites Kallio ry; Pekka accepts."""
    olli, pekka = stack.api_token(OLLI_EMAIL), stack.api_token(PEKKA_EMAIL)
    registry = stack.registry_url
    created = httpx.post(f"{registry}/pools", headers=olli, json={"name": POOL_NAME})
    created.raise_for_status()
    pool_id: str = created.json()["id"]
    httpx.post(
        f"{registry}/pools/{pool_id}/invitations",
        headers=olli,
        json={"organisation_id": stack.peer_organisation_id},
    ).raise_for_status()
    httpx.post(f"{registry}/pools/{pool_id}/accept", headers=pekka).raise_for_status()
    return pool_id


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test that used the processes gets their output in its report."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    stack = getattr(item, "funcargs", {}).get("portal_stack")
    if report.failed and isinstance(stack, PortalStack):
        for service in stack.services:
            report.sections.append((f"{service.name} output", service.log()[-20000:]))


# -- a real Chromium -------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def has_no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


# -- logged-in clients of the real portal ------------------------------------------------


@contextmanager
def portal_client(
    stack: PortalStack, email: str = ANNA_EMAIL, language: str = "fi"
) -> Iterator[httpx.Client]:
    """An httpx client logged in to the portal as ``email``."""
    with httpx.Client(
        base_url=stack.portal_url, headers={"Accept-Language": language}, timeout=30
    ) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"csrf_token": token, "email": email, "password": ANNA_PASSWORD}
        )
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture
def anna(portal_stack: PortalStack) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, ANNA_EMAIL) as client:
        yield client


@pytest.fixture
def olli(portal_stack: PortalStack) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, OLLI_EMAIL) as client:
        yield client


@pytest.fixture
def pekka(portal_stack: PortalStack) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, PEKKA_EMAIL) as client:
        yield client


def unique(name: str) -> str:
    """A name no other test uses, as the stack lives for the whole session."""
    return f"{name} {secrets.token_hex(3)}"


def api_partner(
    stack: PortalStack,
    name: str,
    kind: str = "organisation",
    purposes: tuple[str, ...] = ("file", "team"),
    scope: str = "basic",
    email: str = ANNA_EMAIL,
    **card: Any,
) -> str:
    """A partner added through the registry's API as ``email`` (Anna by default) would;
    returns its id. For tests whose subject is another page than the form."""
    consents = [
        {
            "purpose": purpose,
            "method": "written",
            "information_version": "1",
            **({"scope": scope} if ":" in purpose else {}),
        }
        for purpose in purposes
    ]
    response = httpx.post(
        f"{stack.registry_url}/partners",
        headers=stack.api_token(email),
        json={"kind": kind, "card": {"name": name, **card}, "consents": consents},
    )
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["id"]
    return partner_id


# -- matching's copy of the registry's data ----------------------------------------------


@pytest.fixture
def matching_index(portal_stack: PortalStack, database_urls: dict[str, str]) -> Matching:
    """Matching with the registry's districts and categories, as `reference.changed` would
    bring them (applied anew for each test: other suites may have emptied matching's
    tables). Partners reach its index with :func:`index_for_matching`."""
    runtime = portal_stack.matching_runtime
    assert runtime is not None
    registry = Database(database_urls["registry"], "registry")
    try:
        with registry.session() as session:
            payload = reference_payload(session, None)
    finally:
        registry.dispose()
    message = {
        "id": str(uuid.uuid4()),
        "source": "registry",
        "type": "reference.changed",
        "payload": payload,
    }
    assert apply(runtime, message)
    return runtime


def index_for_matching(
    matching: Matching,
    stack: PortalStack,
    name: str,
    offer: str,
    description: str = "",
    schedule: str = "",
    district: str = "00530",
    email: str = ANNA_EMAIL,
) -> str:
    """An organisation partner with one offer, consenting to matching: added to the
    registry as Anna (or ``email``) would, then written into matching's index as the
    registry's `partner.upserted` would. Returns its id."""
    offers = [{"title": offer, "description": description, "schedule": schedule}]
    consents = [
        {"purpose": purpose, "method": "written", "information_version": "1"}
        for purpose in ("file", "team", "matching")
    ]
    response = httpx.post(
        f"{stack.registry_url}/partners",
        headers=stack.api_token(email),
        json={
            "kind": "organisation",
            "card": {"name": name, "offers": offers},
            "district_code": district,
            "consents": consents,
        },
    )
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["id"]
    organisation_id = (
        stack.organisation_id if email in (ANNA_EMAIL, OLLI_EMAIL) else stack.peer_organisation_id
    )
    index_partner(
        matching,
        organisation_id,
        {"name": name, "offers": offers},
        partner_id=partner_id,
        district=district,
    )
    return partner_id


# -- reminders: the worker's part -------------------------------------------------------


def relay_to_reminders(stack: PortalStack) -> int:
    """What the worker's relay and reminders' consumer would do: the registry's events about
    the stack's organisations (new members with their sealed contacts, partners with their
    cadence facts, activities…) applied to reminders in the order they were written, each
    once. Returns how many were new."""
    runtime = stack.reminders_runtime
    assert runtime is not None
    ours = {stack.organisation_id, stack.peer_organisation_id}
    registry = Database(stack.env["KORTISTO_REGISTRY_DATABASE_URL"], "registry")
    try:
        with registry.session() as session:
            rows = session.execute(
                select(registry_outbox.c.id, registry_outbox.c.type, registry_outbox.c.payload)
                .where(registry_outbox.c.type.in_(tuple(reminder_tasks.HANDLERS)))
                .order_by(registry_outbox.c.created_at)
            ).all()
    finally:
        registry.dispose()
    applied = 0
    for row in rows:
        if row.payload.get("organisation_id") in ours:
            message = {"id": row.id, "source": "registry", "type": row.type, "payload": row.payload}
            applied += reminder_tasks.apply(runtime, message)
    return applied


def make_due(stack: PortalStack, subject_id: str, kind: str = "upkeep") -> None:
    """The subject's schedule of ``kind`` falls due a minute ago."""
    runtime = stack.reminders_runtime
    assert runtime is not None
    with runtime.database.session() as session:
        changed = session.execute(
            update(Schedule)
            .where(Schedule.subject_id == subject_id, Schedule.kind == kind)
            .values(next_due_at=utcnow() - timedelta(minutes=1), status="active")
        )
        assert changed.rowcount == 1, f"no {kind} schedule for {subject_id}"  # type: ignore[attr-defined]


def scan_reminders(stack: PortalStack, send: bool = True) -> list[str]:
    """Beat's due scan; with ``send`` every delivery it queued is then sent (to the test
    SMTP server) as the worker would. Returns the queued ids."""
    runtime = stack.reminders_runtime
    assert runtime is not None
    queued: list[str] = []
    run_due_scan(runtime.database, 100, queued.extend)
    if send:
        for delivery_id in queued:
            sending.send(runtime, delivery_id)
    return queued
