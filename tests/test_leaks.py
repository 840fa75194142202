"""The leak test: after a realistic workload through the real registry process, worker,
beat and Redis, with a unique canary string in every personal field, a dump of the
database, everything in Redis and every log hold none of them."""

import base64
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select

from services.matching.models import outbox as matching_outbox
from services.registry.models import outbox as registry_outbox
from shared.database import Database, is_sqlite
from tests.live import ROOT, wait_until

pytestmark = pytest.mark.slow


def canary(label: str) -> str:
    return f"Canary{label}{secrets.token_hex(4)}"


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kortisto.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def redis_contents(url: str) -> str:
    """Every key and value in the broker's database, with Celery message bodies decoded."""
    client = redis.Redis.from_url(url)
    parts: list[str] = []
    for key in client.scan_iter():
        kind = client.type(key).decode()
        values: list[bytes] = []
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [v for pair in client.hgetall(key).items() for v in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        parts.append(key.decode(errors="replace"))
        for value in values:
            decoded = value.decode(errors="replace")
            parts.append(decoded)
            try:
                body = json.loads(decoded).get("body")
                if isinstance(body, str):
                    parts.append(base64.b64decode(body).decode(errors="replace"))
            except (ValueError, AttributeError):
                pass
    return "\n".join(parts)


def database_dump(urls: dict[str, str]) -> str:
    """Everything the services' databases hold, as SQL text."""
    if all(is_sqlite(url) for url in urls.values()):
        dumps = []
        for url in urls.values():
            with sqlite3.connect(url.split("///", 1)[1]) as conn:
                dumps.append("\n".join(conn.iterdump()))
        return "\n".join(dumps)
    (url,) = set(urls.values())
    return subprocess.run(
        ["pg_dump", "--no-owner", url.replace("postgresql+psycopg://", "postgresql://")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout


def test_no_personal_value_leaks(
    registry_process: str,
    matching_process: str,
    worker: Path,
    stack_env: dict[str, str],
    broker_url: str,
    databases: dict[str, Database],
    database_urls: dict[str, str],
) -> None:
    canaries: dict[str, str] = {}

    def c(label: str) -> str:
        canaries[label] = canary(label)
        return canaries[label]

    org = cli(stack_env, "create-org", "Leak Test Org", "--kind", "support_provider")
    email = c("Email").lower() + "@example.org"
    canaries["Email"] = email.split("@")[0]
    cli(
        stack_env,
        "create-user",
        email,
        "--org",
        org,
        "--role",
        "admin",
        "--role",
        "staff",
        "--name",
        c("StaffName"),
        "--password",
        "a long enough password",
    )
    api = httpx.Client(base_url=registry_process, timeout=30)
    token = api.post(
        "/auth/login", json={"email": email, "password": "a long enough password"}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    card = {
        "name": f"{c('Given')} {c('Family')}",
        "contact": {
            "email": f"{c('PartnerMail').lower()}@example.org",
            "phone": "+358 40 918 2736",
            "address": c("Address"),
            "website": c("Website"),
        },
        "availability": [{"weekday": 3, "start": "10:00", "end": "12:00"}],
        "birthday": "1971-03-09",
        "skills": [c("Skill")],
        "information_needed": c("InfoNeeded"),
        "notes": c("Notes"),
    }
    canaries["PartnerMail"] = canaries["PartnerMail"].lower()
    consents = [
        {
            "purpose": p,
            "method": "written",
            "information_version": "v1",
            "evidence_ref": c(f"Evidence{p}"),
        }
        for p in ("file", "team", "matching", "newsletter")
    ]
    created = api.post(
        "/partners", headers=headers, json={"kind": "citizen", "card": card, "consents": consents}
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    api.post(
        f"/partners/{pid}/activities",
        headers=headers,
        json={"kind": "meeting", "content": c("Content"), "outcome": c("Outcome")},
    )
    api.post(
        f"/partners/{pid}/competence-cards",
        headers=headers,
        json={
            "kind": "strength",
            "domain": "crafts",
            "title": c("CardTitle"),
            "description": c("CardText"),
            "preferences": c("Preferences"),
        },
    )
    api.post(
        f"/partners/{pid}/contributions",
        headers=headers,
        json={"how": c("How"), "where": c("Where")},
    )
    # personal values in query strings must not reach the logs either
    assert (
        api.get("/partners", headers=headers, params={"name": canaries["Given"][:12]}).status_code
        == 200
    )
    assert (
        api.get("/partners", headers=headers, params={"text": canaries["Skill"]}).json()["total"]
        == 1
    )
    api.get(f"/partners/{pid}/export", headers=headers)

    registry = databases["registry"]

    def relayed() -> bool:
        with registry.session() as session:
            return not session.scalar(
                select(func.count())
                .select_from(registry_outbox)
                .where(registry_outbox.c.sent_at.is_(None))
            )

    wait_until(relayed, 60, "the worker to relay every event through Redis")
    wait_until(lambda: "events.apply" in (worker / "worker.log").read_text(), 30, "events applied")

    # Matching: a support user, their wish (in words that find the partner's skill), the
    # resource check, suggestions naming the partner, and a referral with a note.
    matching = httpx.Client(base_url=matching_process, timeout=30, headers=headers)
    person = matching.post(
        "/support-users",
        json={"name": c("SupportUser"), "notes": c("SupportNotes"), "accessibility": ["easy_read"]},
    ).json()
    matching.post(
        f"/support-users/{person['id']}/consents",
        json={"purpose": "matching", "action": "granted", "method": "written"},
    )
    wish = matching.post(
        f"/support-users/{person['id']}/wishes",
        json={"text": f"haluan oppia {canaries['Skill']} {c('WishWords')}"},
    ).json()
    matching.post(
        f"/support-users/{person['id']}/resource-check",
        json={"kind": "possession", "text": c("Possession")},
    )

    def suggested() -> list[dict[str, str]]:
        return list(matching.get(f"/wishes/{wish['id']}/suggestions").json()["items"])

    wait_until(lambda: bool(suggested()), 60, "the partner suggested for the wish")
    assert suggested()[0]["partner_id"] == pid
    referral = matching.post(
        "/referrals",
        json={
            "wish_id": wish["id"],
            "resource_id": suggested()[0]["resource_id"],
            "note": c("Note"),
        },
    )
    assert referral.status_code == 201, referral.text

    def matching_relayed() -> bool:
        with databases["matching"].session() as session:
            return not session.scalar(
                select(func.count())
                .select_from(matching_outbox)
                .where(matching_outbox.c.sent_at.is_(None))
            )

    wait_until(matching_relayed, 60, "the worker to relay matching's events")

    dump = database_dump(database_urls)
    assert "Leak Test Org" in dump  # the dump is real: non-personal values of this run are in it
    places = {
        "database dump": dump,
        "redis": redis_contents(broker_url),
        **{f"log {p.name}": p.read_text(errors="replace") for p in worker.glob("*.log")},
    }
    assert len(places["log registry.log"]) > 1000, "the registry logged its requests"
    leaks = [
        f"{label} in {place}"
        for place, content in places.items()
        for label, value in canaries.items()
        if value.lower() in content.lower()
    ]
    assert leaks == []
