"""The versioned ciphertext format of encrypted column values and the associated data that
binds each value to its service, table, row, column and key version."""

import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shared.crypto import aead
from shared.crypto.errors import DecryptionFailed, UnsupportedFormat

FORMAT_V1 = 1
AAD_PREFIX = b"kortisto:v1\x1f"
_SEPARATOR = "\x1f"
# format version | data key id (UUID bytes) | data key version (big-endian); then the aead blob
_HEADER = struct.Struct(">B16sI")


@dataclass(frozen=True)
class Header:
    """What :func:`parse` reads from a v1 ciphertext."""

    key_id: str
    key_version: int
    payload: bytes  # nonce | ciphertext | tag


def associated_data(aad_parts: Sequence[str], key_version: int) -> bytes:
    """``kortisto:v1`` then service, table, row id, column and key version, 0x1F-separated."""
    parts = [*aad_parts, str(key_version)]
    if any(_SEPARATOR in part for part in parts):
        raise ValueError("associated data parts must not contain the 0x1F separator")
    return AAD_PREFIX + _SEPARATOR.join(parts).encode()


def seal(
    key: bytes, key_id: str, key_version: int, aad_parts: Sequence[str], plaintext: bytes
) -> bytes:
    header = _HEADER.pack(FORMAT_V1, uuid.UUID(key_id).bytes, key_version)
    return header + aead.encrypt(key, plaintext, associated_data(aad_parts, key_version))


def parse(blob: bytes) -> Header:
    if not blob or blob[0] != FORMAT_V1:
        version = blob[0] if blob else "missing"
        raise UnsupportedFormat(f"unknown ciphertext format version: {version}")
    if len(blob) < _HEADER.size:
        raise DecryptionFailed("ciphertext header is truncated")
    _, key_id, key_version = _HEADER.unpack_from(blob)
    return Header(str(uuid.UUID(bytes=key_id)), key_version, bytes(blob[_HEADER.size :]))


def open_(key: bytes, header: Header, aad_parts: Sequence[str]) -> bytes:
    """Decrypt a parsed ciphertext; :class:`DecryptionFailed` if it does not authenticate."""
    return aead.decrypt(key, header.payload, associated_data(aad_parts, header.key_version))
