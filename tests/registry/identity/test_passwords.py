"""Passwords are hashed with Argon2id at the RFC 9106 low-memory cost unless configured."""

from argon2 import extract_parameters

from services.registry.identity.models import User
from services.registry.identity.passwords import Passwords
from services.registry.settings import RegistrySettings


def test_the_default_cost_is_rfc_9106_low_memory() -> None:
    passwords = Passwords(RegistrySettings())
    hashed = passwords.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    parameters = extract_parameters(hashed)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)


def test_a_changed_cost_rehashes_on_the_next_login() -> None:
    cheap = Passwords(
        RegistrySettings(password_time_cost=1, password_memory_kib=1024, password_parallelism=1)
    )
    user = User(password_hash=cheap.hash("secret words here"))
    old = user.password_hash
    assert not cheap.verify(user, "wrong")
    stronger = Passwords(
        RegistrySettings(password_time_cost=2, password_memory_kib=2048, password_parallelism=1)
    )
    assert stronger.verify(user, "secret words here")
    assert user.password_hash != old and extract_parameters(user.password_hash).time_cost == 2
