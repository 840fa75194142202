"""``kortisto``: the operator's command-line tool."""

from pathlib import Path
from typing import Annotated

import typer

from kortisto import demo
from kortisto.services import database_of, service_settings
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.models import data_keys
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import ROLES, load_signing_key
from shared.crypto import KeyFileProvider, Keyring
from shared.database import Database

app = typer.Typer(
    help="Kortisto: the shared resource card file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _registry() -> Registry:
    return Registry.build(RegistrySettings())


def _fail(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@app.command()
def migrate() -> None:
    """Bring every service's schema up to date (each has its own Alembic history)."""
    for name, settings in service_settings().items():
        database = database_of(name, settings)
        try:
            migrations.upgrade(name, database)
        finally:
            database.dispose()
        typer.echo(f"{name}: up to date")
    _load_reference_data()


def _load_reference_data() -> None:
    """Loads (or refreshes) the default districts and categories, downloading the reference
    data first where the folder lacks it. When it cannot be had, one message says what to
    download and where to put it; production then loads nothing, the embedded and test
    modes load the made-up demo set (unless the real defaults were loaded before)."""
    from services.registry.reference.defaults import (
        ReferenceDataMissing,
        has_real_defaults,
        load_defaults,
        load_demo_defaults,
    )
    from shared.reference_data import ReferenceDataUnavailable, obtain, progress_line

    registry = _registry()
    settings = registry.settings
    folder = settings.resolved_reference_data_dir()
    try:
        obtain(folder, settings.reference_data_url, progress_line())
        unavailable: str | None = None
    except ReferenceDataUnavailable as exc:
        unavailable = str(exc)
    try:
        with registry.database.session() as session:
            if unavailable is None:
                districts, categories = load_defaults(session, folder)
            elif settings.environment == "production" or has_real_defaults(session):
                _warn(f"{unavailable}\nThe default districts and categories were not changed.")
                return
            else:
                _warn(
                    f"{unavailable}\nUntil then Kortisto runs with a small made-up demo set of "
                    "districts and categories, marked as such in the portal."
                )
                districts, categories = load_demo_defaults(session)
    except ReferenceDataMissing as exc:
        _warn(f"reference data not loaded: {exc}")
        return
    finally:
        registry.database.dispose()
    kind = "demo" if unavailable else "reference"
    typer.echo(f"{kind} data: {districts} districts and {categories} categories added or changed")


def _warn(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.YELLOW)


@app.command("fetch-reference-data")
def fetch_reference_data() -> None:
    """Download the reference data the folder lacks (KORTISTO_REFERENCE_DATA_DIR, default
    <data_dir>/reference) from its pinned public origin; `migrate` then loads it."""
    from shared.reference_data import ReferenceDataUnavailable, obtain, progress_line

    settings = RegistrySettings()
    folder = settings.resolved_reference_data_dir()
    try:
        wrote = obtain(folder, settings.reference_data_url, progress_line())
    except ReferenceDataUnavailable as exc:
        _fail(str(exc))
        return
    typer.echo(f"reference data in {folder}: {len(wrote)} files written")


@app.command("init-keys")
def init_keys() -> None:
    """Create the master key file and the token signing key where they are missing."""
    settings = RegistrySettings()
    KeyFileProvider(settings.resolved_master_key_file(), create=True)
    load_signing_key(settings.resolved_jwt_private_key_file(), create=True)
    typer.echo(f"master keys: {settings.resolved_master_key_file()}")
    typer.echo(f"signing key: {settings.resolved_jwt_private_key_file()}")


@app.command("create-org")
def create_org(
    name: str,
    kind: Annotated[OrganisationKind, typer.Option(help="what kind of organisation")],
    timezone: str = "Europe/Helsinki",
) -> None:
    """Create an organisation; prints its id on the last line."""
    registry = _registry()
    with registry.database.session() as session:
        organisation = identity.create_organisation(
            session, OrganisationIn(name=name, kind=kind, timezone=timezone), "system:cli"
        )
    typer.echo(organisation.id)


@app.command("create-user")
def create_user(
    email: str,
    org: Annotated[str, typer.Option(help="organisation id")],
    role: Annotated[list[str], typer.Option(help=f"one of {', '.join(ROLES)}; repeat for more")],
    name: Annotated[str, typer.Option(help="display name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    locale: str = "fi",
) -> None:
    """Create a user with a membership in an organisation; prints the user id."""
    from pydantic import ValidationError

    from shared.errors import DomainError

    try:
        data = UserIn(email=email, display_name=name, password=password, roles=role, locale=locale)
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
        return
    registry = _registry()
    try:
        with registry.database.session() as session:
            user = identity.create_user(session, registry, org, data, "system:cli")
    except DomainError as exc:
        _fail(f"{exc.field or 'error'}: {exc.message}")
        return
    typer.echo(user.id)


@app.command("rotate-master-key")
def rotate_master_key(
    retire_old: Annotated[
        bool, typer.Option(help="remove the previous master key afterwards")
    ] = False,
) -> None:
    """Start a new master key version and re-wrap every organisation key under it.

    Row data is not touched. With --retire-old the previous version is deleted from the key
    file once everything is re-wrapped, so backups made before can no longer be read with
    the key file as it is now (keep an old key file only as long as you keep those backups)."""
    settings = RegistrySettings()
    provider = KeyFileProvider(settings.resolved_master_key_file())
    old = provider.current_version
    new = provider.add_version()
    database = database_of("registry", settings)
    keyring = Keyring(provider, data_keys, "registry")
    with database.session() as session:
        count = keyring.rewrap_organisation_keys(session)
    typer.echo(f"master key {old} -> {new}: re-wrapped {count} keys")
    if retire_old:
        provider.retire(old)
        typer.echo(f"retired master key {old}")


@app.command("verify-access-log")
def verify_access_log(
    org: Annotated[str | None, typer.Option(help="one organisation id; default all")] = None,
) -> None:
    """Check every access log's hash chain; exits 1 if any entry was removed or altered."""
    from services.registry.access import service as access

    registry = _registry()
    broken = False
    with registry.database.session() as session:
        for owner in [org] if org else access.owners(session):
            result = access.verify(session, owner)
            state = (
                "ok" if result.valid else f"BROKEN at {result.first_broken_seq}: {result.problem}"
            )
            typer.echo(f"{owner}: {result.entries} entries, {state}")
            broken = broken or not result.valid
    if broken:
        raise typer.Exit(1)


@app.command("rebuild-matching-index")
def rebuild_matching_index() -> None:
    """Replay every partner and the reference data from the registry to matching, which
    then drops what was not replayed. Runs through the outbox: a worker must be running."""
    from services.registry.partners.replay import replay

    registry = _registry()
    try:
        with registry.database.session() as session:
            generation, partners = replay(session, registry)
    finally:
        registry.database.dispose()
    typer.echo(f"rebuild {generation}: {partners} partners queued for the matching index")


@app.command("copy-to-postgresql")
def copy_to_postgresql(
    url: Annotated[
        str, typer.Argument(help="the PostgreSQL database, e.g. postgresql://kortisto@db/kortisto")
    ],
    keys_to: Annotated[
        Path | None,
        typer.Option(help="copy the master key and token signing key files into this folder"),
    ] = None,
) -> None:
    """Copy the embedded installation under KORTISTO_DATA_DIR (its SQLite files) into an
    empty PostgreSQL database, every service's tables and their wrapped data keys. Stop
    `kortisto up` first."""
    from kortisto.copying import SERVICES, TargetNotEmpty, copy_installation, copy_key_files

    if not url.startswith("postgresql"):
        _fail("the target must be a PostgreSQL URL (postgresql://…)")
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    settings = RegistrySettings()
    embedded = [settings.data_dir / f"{name}.db" for name in SERVICES]
    if not all(path.is_file() for path in embedded):
        _fail(
            f"no embedded installation under {settings.data_dir.resolve()} "
            "(set KORTISTO_DATA_DIR to its folder)"
        )
    sources = {name: Database(settings.sqlite_url(name), name) for name in SERVICES}
    targets = {name: Database(url, name) for name in SERVICES}
    try:
        copied = copy_installation(sources, targets, typer.echo)
    except TargetNotEmpty as exc:
        _fail(str(exc))
        return
    finally:
        for database in (*sources.values(), *targets.values()):
            database.dispose()
    for name, rows in copied.items():
        typer.echo(f"{name}: {rows} rows copied")
    keys = [settings.resolved_master_key_file(), settings.resolved_jwt_private_key_file()]
    keys = [key for key in keys if key.is_file()]
    if keys_to is not None:
        keys = copy_key_files(keys, keys_to)
    typer.echo(
        "The data is readable only with these key files: give them to the PostgreSQL "
        "installation (KORTISTO_MASTER_KEY_FILE, KORTISTO_JWT_PRIVATE_KEY_FILE) and keep "
        "them apart from the database backups:\n  " + "\n  ".join(str(k) for k in keys)
    )


@app.command("demo-data")
def demo_data() -> None:
    """Create the demo organisations, pool and logins unless they exist."""
    created = demo.seed(_registry())
    typer.echo("demo network created" if created else "demo network already present")
    for login in demo.DEMO_LOGINS:
        typer.echo(f"  {login.email:32} {demo.DEMO_PASSWORD}  ({', '.join(login.roles)})")


@app.command()
def up() -> None:
    """Run every service, a worker and beat on the embedded default (SQLite under ./var)."""
    from kortisto.stack import run_embedded

    raise typer.Exit(run_embedded())


if __name__ == "__main__":
    app()
