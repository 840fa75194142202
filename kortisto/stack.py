"""The embedded stack: every service, a Celery worker and beat as child processes on one
machine, on SQLite files and the SQLite Celery broker under the data directory."""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx

from kortisto import demo
from kortisto.cli import init_keys, migrate
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.reminders.settings import RemindersSettings
from services.reminders.worker import QUEUES

APPS = {
    "portal": "services.portal.app:create_app",
    "registry": "services.registry.app:create_app",
    "matching": "services.matching.app:create_app",
    "reminders": "services.reminders.app:create_app",
}
STARTUP_SECONDS = 60


def _port(url: str) -> int:
    return urlsplit(url).port or 80


def _commands(settings: RemindersSettings) -> dict[str, list[str]]:
    urls = {
        "portal": settings.portal_url,
        "registry": settings.registry_url,
        "matching": settings.matching_url,
        "reminders": settings.reminders_url,
    }
    commands = {
        name: [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(_port(urls[name])),
            "--no-access-log",
        ]
        for name, target in APPS.items()
    }
    celery = [sys.executable, "-m", "celery", "-A", "services.reminders.worker"]
    commands["worker"] = [
        *celery,
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--concurrency",
        "2",
        "--loglevel",
        "INFO",
        "--hostname",
        "embedded@%h",
    ]
    commands["beat"] = [
        *celery,
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(settings.data_dir / "celerybeat-schedule"),
    ]
    return commands


def _busy_ports(ports: list[int]) -> list[int]:
    """The ports some process listens on. A port whose last connections wait out TIME-WAIT
    after a stop is free: the services bind with address reuse, and so does this check."""
    busy = []
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    return busy


def _wait_healthy(urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    pending = dict(urls)
    while pending:
        for name, url in list(pending.items()):
            if processes[name].poll() is not None:
                raise RuntimeError(f"{name} stopped while starting")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"not healthy after {STARTUP_SECONDS}s: {', '.join(pending)}")
        time.sleep(0.3)


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _real_defaults_loaded() -> bool:
    from services.registry.reference.defaults import has_real_defaults

    registry = Registry.build(RegistrySettings())
    try:
        with registry.database.session() as session:
            return has_real_defaults(session)
    finally:
        registry.database.dispose()


def run_embedded() -> int:
    os.environ.setdefault("KORTISTO_ENVIRONMENT", "embedded")
    settings = RemindersSettings()
    urls = {
        "portal": settings.portal_url,
        "registry": settings.registry_url,
        "matching": settings.matching_url,
        "reminders": settings.reminders_url,
    }
    busy = _busy_ports([_port(url) for url in urls.values()])
    if busy:
        # Another Kortisto (or anything else) answering there would pass our health checks.
        print(f"kortisto: port(s) {', '.join(map(str, busy))} already in use", file=sys.stderr)
        return 1
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    init_keys()
    migrate()
    seeded = demo.seed(Registry.build(RegistrySettings()))

    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # Children get their own process group so that one Ctrl-C is handled here, once.
    processes = {
        name: subprocess.Popen(command, start_new_session=True)
        for name, command in _commands(settings).items()
    }
    try:
        _wait_healthy(urls, processes)
    except RuntimeError as exc:
        print(f"kortisto: {exc}", file=sys.stderr)
        _stop(processes)
        return 1

    # One write, so that the address never shows without the logins in a shared log.
    banner = [
        f"\nKortisto is running: {settings.portal_url}",
        "demo network created" if seeded else "demo network from an earlier start",
    ]
    if not _real_defaults_loaded():
        banner.append("districts and categories: the made-up demo set (see the message above)")
    banner += [
        f"  {login.email:32} password {demo.DEMO_PASSWORD}  ({', '.join(login.roles)})"
        for login in demo.DEMO_LOGINS
    ]
    print("\n".join([*banner, "Press Ctrl-C to stop.\n"]), flush=True)

    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(
                    f"kortisto: {name} stopped unexpectedly; stopping everything", file=sys.stderr
                )
                stopping = True
                exit_code = 1
        time.sleep(0.5)
    _stop(processes)
    print("Kortisto stopped.", flush=True)
    return exit_code
