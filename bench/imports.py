"""Claim: an import of 10,000 rows, measured as rows per second and peak memory, against a
baseline that reads the same CSV with the csv module and inserts plain, unencrypted,
unvalidated rows with executemany.

Kortisto's side is the real endpoint (`POST /imports/partners`, committing) of the registry
app, in its own process on a throw-away PostgreSQL database (``kortisto_bench_<random>``,
dropped at the end), with the default districts and categories loaded. Every row is
validated (e-mail, phone, district, category), its card sealed with a new data key, its
blind-index terms written and its consent recorded, all in one transaction. Each side runs
in a fresh process per round so that peak memory (max RSS) is its own; rounds alternate.

    uv run python bench/imports.py              # 10,000 rows, 3 rounds
    uv run python bench/imports.py --rows 2000  # quick check
    uv run python bench/imports.py --sqlite     # on the embedded default (SQLite files)

With ``--sqlite`` both sides use SQLite files instead: the registry's database as the
embedded default keeps it, copied afresh from a prepared one for each round, and a plain
table in a file of its own for the baseline.
"""

import argparse
import csv
import io
import json
import random
import resource
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_DSN = "postgresql://root@127.0.0.1:5432/postgres"
GIVEN = ["Aino", "Eero", "Helmi", "Juha", "Kaisa", "Lauri", "Maija", "Niko", "Oona", "Pekka"]
FAMILY = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Koskinen"]
SKILLS = ["leipominen", "kävelyseura", "neulominen", "ruoanlaitto", "digituki", "laulu"]
DISTRICTS = ["00100", "00120", "00500", "00510", "00530", "00550", "00980"]
HEADER = ["Nimi", "Tyyppi", "Sähköposti", "Puhelin", "Postinumero", "Taidot", "Suostumus: kortisto"]


def make_csv(rows: int, seed: int = 7) -> bytes:
    """A Finnish Excel-style CSV (UTF-8 with BOM, ';') of citizens with file consent."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for n in range(rows):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        writer.writerow(
            [
                f"{given} {family} {n}",
                "kansalainen",
                f"{given.lower()}.{n}@example.org",
                f"040 {n:07d}",
                rng.choice(DISTRICTS),
                ", ".join(rng.sample(SKILLS, 2)),
                "kyllä",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def kortisto_side(url: str, data_dir: str, path: str) -> dict[str, float]:
    """One committing import through the registry app; run in a fresh process."""
    from fastapi.testclient import TestClient

    from services.registry.app import create_app
    from services.registry.settings import RegistrySettings

    settings = RegistrySettings(database_url=url, data_dir=Path(data_dir), environment="test")
    client = TestClient(create_app(settings))
    meta = json.loads(Path(path + ".login").read_text())
    token = client.post("/auth/login", json=meta).json()["access_token"]
    body = Path(path).read_bytes()
    started = time.perf_counter()
    response = client.post(
        "/imports/partners",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("import.csv", body, "text/csv")},
        data={"dry_run": "false", "consent_method": "written", "consent_information_version": "v1"},
    )
    seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"import failed: {response.status_code} {response.text[:2000]}")
    return {"seconds": seconds}


PLAIN_COLUMNS = "name, kind, email, phone, district, skills, consent"


def baseline_side(url: str, path: str) -> dict[str, float]:
    """The same file parsed with csv and inserted as plain rows; run in a fresh process."""
    started = time.perf_counter()
    text = Path(path).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    if url.startswith("sqlite"):
        with sqlite3.connect(_plain_file(path)) as lite:
            lite.execute("DELETE FROM imported")
            lite.executemany(
                f"INSERT INTO imported ({PLAIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
            )
        return {"seconds": time.perf_counter() - started}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("TRUNCATE plain.imported")
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO plain.imported ({PLAIN_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
    return {"seconds": time.perf_counter() - started}


def _plain_file(path: str | Path) -> Path:
    return Path(path).with_name("plain.db")


def child(args: argparse.Namespace) -> None:
    result = (
        kortisto_side(args.url, args.data_dir, args.file)
        if args.side == "kortisto"
        else baseline_side(args.url, args.file)
    )
    result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def prepare(url: str, data_dir: Path) -> dict[str, str]:
    """Migrations, reference data, an organisation and a staff login; the plain table."""
    from bench.throwaway import reference_data_dir
    from services.registry.identity import service as identity
    from services.registry.identity.models import OrganisationKind
    from services.registry.identity.schemas import OrganisationIn, UserIn
    from services.registry.reference.defaults import load_defaults
    from services.registry.runtime import Registry
    from services.registry.settings import RegistrySettings
    from shared import migrations

    registry = Registry.build(
        RegistrySettings(database_url=url, data_dir=data_dir, environment="test")
    )
    migrations.upgrade("registry", registry.database)
    login = {"email": "bench@example.org", "password": "a long enough password"}
    with registry.database.session() as session:
        load_defaults(session, reference_data_dir())
        org = identity.create_organisation(
            session,
            OrganisationIn(name="Bench Org", kind=OrganisationKind.support_provider),
            "bench",
        )
        identity.create_user(
            session,
            registry,
            org.id,
            UserIn(
                email=login["email"],
                display_name="Bench",
                password=login["password"],
                roles=["staff"],
            ),
            "bench",
        )
    registry.database.dispose()
    columns = "name text, kind text, email text, phone text, district text, skills text, " + (
        "consent text"
    )
    if url.startswith("sqlite"):
        with sqlite3.connect(_plain_file(data_dir / "import.csv")) as lite:
            lite.execute(f"CREATE TABLE imported (id integer PRIMARY KEY, {columns})")
        return login
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("CREATE SCHEMA plain")
        conn.execute(f"CREATE TABLE plain.imported (id bigserial PRIMARY KEY, {columns})")
    return login


def clear_partners(url: str) -> None:
    if url.startswith("sqlite"):
        # The prepared database, before any import, was kept beside it.
        database = Path(url.removeprefix("sqlite:///"))
        shutil.copyfile(database.with_suffix(".prepared"), database)
        return
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("TRUNCATE registry.partners, registry.outbox CASCADE")


def run_side(side: str, url: str, data_dir: Path, path: Path) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--url",
        url,
        "--data-dir",
        str(data_dir),
        "--file",
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="both sides on SQLite files")
    parser.add_argument("--child", choices=["kortisto", "baseline"])
    parser.add_argument("--url")
    parser.add_argument("--data-dir")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        args.side = args.child
        child(args)
        return

    name = f"kortisto_bench_{secrets.token_hex(4)}"
    if not args.sqlite:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir, path = Path(tmp), Path(tmp) / "import.csv"
            if args.sqlite:
                url = f"sqlite:///{data_dir / 'registry.db'}"
            path.write_bytes(make_csv(args.rows))
            (Path(str(path) + ".login")).write_text(json.dumps(prepare(url, data_dir)))
            if args.sqlite:
                shutil.copyfile(data_dir / "registry.db", data_dir / "registry.prepared")
            size = path.stat().st_size / 1024 / 1024
            where = "SQLite files" if args.sqlite else "PostgreSQL"
            print(f"{args.rows} rows, {size:.1f} MiB CSV, {args.rounds} rounds, on {where}")
            results: dict[str, list[dict[str, float]]] = {"kortisto": [], "baseline": []}
            for round_ in range(args.rounds):
                for side in (
                    ("kortisto", "baseline") if round_ % 2 == 0 else ("baseline", "kortisto")
                ):
                    clear_partners(url)
                    results[side].append(run_side(side, url, data_dir, path))
            medians = {}
            for side, runs in results.items():
                seconds = statistics.median(r["seconds"] for r in runs)
                rss = statistics.median(r["max_rss_mib"] for r in runs)
                medians[side] = seconds
                each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
                print(
                    f"{side:9} median {seconds:7.2f} s  {args.rows / seconds:9.0f} rows/s  "
                    f"peak memory {rss:6.0f} MiB  (runs: {each})"
                )
            print(f"ratio: {medians['kortisto'] / medians['baseline']:.1f}")
    finally:
        if not args.sqlite:
            with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
