"""Encryption of personal data at rest: envelope encryption with crypto-shredding, key
rotation and blind indexes (see the handbook, "Personal data at rest")."""

from shared.crypto.blind_index import name_tokens, normalise_email, normalise_phone
from shared.crypto.ciphertext import Header, associated_data, open_, parse, seal
from shared.crypto.envelope import open_from, seal_for
from shared.crypto.errors import (
    CryptoError,
    DecryptionFailed,
    KeyNotAvailable,
    SubjectShredded,
    UnsupportedFormat,
)
from shared.crypto.keyprovider import KeyFileProvider, KeyProvider
from shared.crypto.keyring import DataKey, Keyring, data_key_table

__all__ = [
    "CryptoError",
    "DataKey",
    "DecryptionFailed",
    "Header",
    "KeyFileProvider",
    "KeyNotAvailable",
    "KeyProvider",
    "Keyring",
    "SubjectShredded",
    "UnsupportedFormat",
    "associated_data",
    "data_key_table",
    "name_tokens",
    "normalise_email",
    "normalise_phone",
    "open_",
    "open_from",
    "parse",
    "seal",
    "seal_for",
]
