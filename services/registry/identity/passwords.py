"""Password hashing with Argon2id. The cost is a setting: the defaults follow RFC 9106's
low-memory profile; tests and small machines may lower them."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.registry.identity.models import User
from services.registry.settings import RegistrySettings


class Passwords:
    def __init__(self, settings: RegistrySettings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.password_time_cost,
            memory_cost=settings.password_memory_kib,
            parallelism=settings.password_parallelism,
        )
        # Checking against a real hash when the e-mail is unknown keeps both paths equally slow.
        self._decoy = self.hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, user: User, password: str) -> bool:
        """True when ``password`` is the user's; re-hashes it when the cost settings changed."""
        try:
            self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if self.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = self.hasher.hash(password)
        return True

    def spend_time(self, password: str) -> None:
        """As long as a real check, for a login whose e-mail is unknown."""
        try:
            self.hasher.verify(self._decoy, password)
        except VerificationError:
            return
