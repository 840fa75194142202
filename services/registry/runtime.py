"""What the registry's routes and tasks share for the life of a process: settings, the
database, the keyring and the token issuer. Built once at start-up."""

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request

from services.registry.identity.passwords import Passwords
from services.registry.models import SCHEMA, data_keys
from services.registry.settings import RegistrySettings
from shared.auth import TokenIssuer, load_signing_key
from shared.crypto import KeyFileProvider, Keyring
from shared.database import Database


@dataclass
class Registry:
    settings: RegistrySettings
    database: Database
    keyring: Keyring
    passwords: Passwords

    @cached_property
    def issuer(self) -> TokenIssuer:
        """Built on first use: only the API signs tokens, the worker never needs the key."""
        settings = self.settings
        embedded = settings.environment != "production"
        signing_key = load_signing_key(settings.resolved_jwt_private_key_file(), create=embedded)
        return TokenIssuer(
            signing_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_seconds,
        )

    @classmethod
    def build(cls, settings: RegistrySettings) -> "Registry":
        embedded = settings.environment != "production"
        provider = KeyFileProvider(settings.resolved_master_key_file(), create=embedded)
        return cls(
            settings=settings,
            database=Database(settings.resolved_database_url(), SCHEMA),
            keyring=Keyring(provider, data_keys, "registry"),
            passwords=Passwords(settings),
        )


def current_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(current_registry)]
