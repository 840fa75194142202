"""Settings of the portal: the shared ones plus the secret that signs the session cookie."""

import os
import secrets
import time
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import SharedSettings


class PortalSettings(SharedSettings):
    # The base prefix is KORTISTO_; this one is named after the service so that it cannot be
    # mistaken for another service's secret in a shared env file.
    model_config = SettingsConfigDict(env_prefix="KORTISTO_", extra="ignore", populate_by_name=True)

    session_secret: str = Field(
        "",
        validation_alias=AliasChoices("KORTISTO_PORTAL_SESSION_SECRET"),
        description="signs the session cookie; empty outside production means a key file "
        "<data_dir>/keys/portal-session.key, made on first start",
    )
    registry_timeout_seconds: float = Field(
        10.0, description="how long a page waits for the registry before saying it is unavailable"
    )
    import_timeout_seconds: float = Field(
        300.0,
        gt=0,
        description="how long the import wizard waits for the registry to check or import a "
        "file (a 10,000-row file takes about half a minute)",
    )

    def session_key_file(self) -> Path:
        return self.data_dir / "keys" / "portal-session.key"

    def resolved_session_secret(self) -> str:
        """The configured secret, or (outside production) the one kept in the key file, so
        that sessions survive a restart. Production must configure it explicitly."""
        if self.session_secret:
            return self.session_secret
        if self.environment == "production":
            raise ValueError(
                "KORTISTO_PORTAL_SESSION_SECRET must be set in production "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return _read_or_create_key(self.session_key_file())


def _read_or_create_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: when two workers start at once, exactly one writes and the other reads.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _read_key(path: Path) -> str:
    # The file may have been created a moment ago by another worker still writing it.
    for _ in range(20):
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.05)
    raise ValueError(f"session key file {path} is empty; delete it to make a new one")
