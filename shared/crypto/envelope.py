"""Sealing a document for another service: a fresh data key seals it with AES-256-GCM and is
itself wrapped by the master key (the services share the key provider, not their
keyrings). Events that must carry personal values travel sealed this way, so the broker,
Redis and the outbox never hold them readable."""

import base64
import json
from typing import Any

from shared.crypto import aead
from shared.crypto.keyprovider import KeyProvider


def _context(audience: str, reference: str) -> bytes:
    return f"kortisto:sealed\x1f{audience}\x1f{reference}".encode()


def seal_for(
    provider: KeyProvider, audience: str, reference: str, document: dict[str, Any]
) -> dict[str, str]:
    """Seals ``document`` so that only a holder of the key provider, naming the same
    ``audience`` and ``reference`` (e.g. the event id), can open it."""
    key = aead.new_key()
    context = _context(audience, reference)
    version, wrapped = provider.wrap(key, context)
    sealed = aead.encrypt(key, json.dumps(document, separators=(",", ":")).encode(), context)
    return {
        "kek": version,
        "key": base64.b64encode(wrapped).decode(),
        "data": base64.b64encode(sealed).decode(),
    }


def open_from(
    provider: KeyProvider, audience: str, reference: str, sealed: dict[str, str]
) -> dict[str, Any]:
    context = _context(audience, reference)
    key = provider.unwrap(sealed["kek"], base64.b64decode(sealed["key"]), context)
    document: dict[str, Any] = json.loads(
        aead.decrypt(key, base64.b64decode(sealed["data"]), context)
    )
    return document
