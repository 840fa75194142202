"""The README's run command, as a user starts it: every service answers, the demo login
works through the portal, beat and the worker run on the embedded broker, and Ctrl-C
stops everything."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kortisto.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.live import ROOT, free_port, wait_until

pytestmark = pytest.mark.slow


def processes_with(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (the stack's own data directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_embedded_stack_runs_serves_the_demo_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """Offline and with nothing beside the clone: the message, the demo set, a whole stack."""
    data_dir = tmp_path / "var"
    ports = {name: free_port() for name in ("portal", "registry", "matching", "reminders")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
    env.update(
        {f"KORTISTO_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    )
    env.update({"KORTISTO_DATA_DIR": str(data_dir), "KORTISTO_HEARTBEAT_SECONDS": "2"})
    # A first start with no reference data and no way to download it (nothing answers).
    env["KORTISTO_REFERENCE_DATA_URL"] = f"http://127.0.0.1:{free_port()}"
    log = (tmp_path / "stack.log").open("w+b")
    stack = subprocess.Popen(
        [sys.executable, "-m", "kortisto.cli", "up"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: b"Kortisto is running" in (tmp_path / "stack.log").read_bytes(),
            120,
            "the stack",
        )
        printed = (tmp_path / "stack.log").read_text()
        assert f"http://127.0.0.1:{ports['portal']}" in printed
        assert all(login.email in printed for login in DEMO_LOGINS) and DEMO_PASSWORD in printed
        own = "\n".join(line for line in printed.splitlines() if not line.startswith("{"))
        assert own.count("KORTISTO_REFERENCE_DATA_DIR") == 1, "one message names the setting"
        assert "districts and categories: the made-up demo set" in printed

        for name, port in ports.items():
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            assert health.status_code == 200, (name, health.text)
        assert (
            httpx.get(f"http://127.0.0.1:{ports['reminders']}/healthz").json()["checks"]["broker"]
            == "ok"
        )

        admin = DEMO_LOGINS[0]
        planner = next(login for login in DEMO_LOGINS if login.roles == ("planner",))
        for login, page in ((admin, "/districts"), (planner, "/planning")):
            with httpx.Client(
                base_url=f"http://127.0.0.1:{ports['portal']}", follow_redirects=True
            ) as portal:
                form = portal.get("/login").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
                assert csrf, "the login form carries a CSRF token"
                home = portal.post(
                    "/login",
                    data={
                        "email": login.email,
                        "password": DEMO_PASSWORD,
                        "csrf_token": csrf.group(1),
                    },
                )
                assert home.status_code == 200
                assert login.display_name in home.text
                shown = portal.get(page)
                assert shown.status_code == 200, (page, shown.text[-2000:])
                # The made-up districts and categories say so where they are listed.
                assert 'id="demo-reference"' in shown.text, page

        def worker_alive() -> bool:
            status = httpx.get(
                f"http://127.0.0.1:{ports['reminders']}/operations/worker", timeout=5
            )
            return bool(status.json()["alive"])

        wait_until(worker_alive, 60, "beat's heartbeat recorded by the worker")
        assert sorted(p.name for p in data_dir.glob("*.db")) == [
            "celery-broker.db",
            "celery-results.db",
            "matching.db",
            "registry.db",
            "reminders.db",
        ]
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            code = stack.wait(60)
        except subprocess.TimeoutExpired:
            stack.kill()
            raise
        log.close()
    assert code == 0, (tmp_path / "stack.log").read_text()[-3000:]
    assert "Kortisto stopped." in (tmp_path / "stack.log").read_text()
    time.sleep(0.5)
    assert processes_with(str(data_dir)) == [], "every child process has ended"
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_a_busy_port_is_named_and_nothing_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("KORTISTO_")}
        env.update(
            {
                "KORTISTO_PORTAL_URL": f"http://127.0.0.1:{port}",
                "KORTISTO_DATA_DIR": str(tmp_path / "var"),
            }
        )
        done = subprocess.run(
            [sys.executable, "-m", "kortisto.cli", "up"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"port(s) {port} already in use" in done.stderr
    assert not list((tmp_path / "var").glob("*.db")), "nothing was migrated or started"
