"""Master keys (KEKs) that wrap the organisation and blind-index data keys.

:class:`KeyProvider` is the seam where Vault transit or a cloud KMS plugs in later;
:class:`KeyFileProvider` keeps the KEKs in a local JSON key file."""

import base64
import binascii
import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from shared.crypto import aead
from shared.crypto.errors import CryptoError, KeyNotAvailable


class KeyProvider(Protocol):
    """Wraps and unwraps data keys under a versioned master key (KEK) that never leaves it.

    A Vault transit or cloud KMS implementation sends ``key`` to the service's encrypt call
    and ``context`` as its additional authenticated data; nothing else needs to change."""

    @property
    def current_version(self) -> str:
        """The KEK version :meth:`wrap` uses."""
        ...

    def wrap(self, key: bytes, context: bytes) -> tuple[str, bytes]:
        """Encrypt ``key`` bound to ``context``; returns the KEK version used and the blob."""
        ...

    def unwrap(self, version: str, blob: bytes, context: bytes) -> bytes:
        """The key inside ``blob``; :class:`KeyNotAvailable` for an unknown ``version``."""
        ...


class KeyFileProvider:
    """KEKs in a JSON file ``{"current": "1", "keys": {"1": "<base64 of 32 bytes>"}}``.

    The file is only ever replaced atomically and is readable by its owner alone (0600)."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = path
        if create and not path.exists():
            self._create()
        self._load()

    @property
    def current_version(self) -> str:
        return self._current

    def wrap(self, key: bytes, context: bytes) -> tuple[str, bytes]:
        version = self._current
        return version, aead.encrypt(self._kek(version), key, context)

    def unwrap(self, version: str, blob: bytes, context: bytes) -> bytes:
        return aead.decrypt(self._kek(version), blob, context)

    def add_version(self) -> str:
        """A new random KEK that becomes current; returns its version."""
        self._load()
        version = str(max(int(v) for v in self._keys) + 1)
        self._write(version, {**self._keys, version: aead.new_key()})
        return version

    def retire(self, version: str) -> None:
        """Forget an old KEK once :meth:`Keyring.rewrap_organisation_keys` has run."""
        self._load()
        if version == self._current:
            raise ValueError(f"master key version {version!r} is current and cannot be retired")
        self._kek(version)
        self._write(self._current, {v: k for v, k in self._keys.items() if v != version})

    def _kek(self, version: str) -> bytes:
        if version not in self._keys:
            self._load()  # another process may have added it since
        try:
            return self._keys[version]
        except KeyError:
            raise KeyNotAvailable(f"master key version {version!r} is not in {self.path}") from None

    def _create(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            self._write("1", {"1": aead.new_key()}, exclusive=True)

    def _load(self) -> None:
        try:
            data: Any = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise KeyNotAvailable(f"master key file {self.path} does not exist") from None
        except ValueError as exc:
            raise CryptoError(f"master key file {self.path} is not valid JSON") from exc
        try:
            keys = {str(v): base64.b64decode(k, validate=True) for v, k in data["keys"].items()}
            current = data["current"]
        except (TypeError, KeyError, AttributeError, binascii.Error) as exc:
            raise CryptoError(f"master key file {self.path} is malformed") from exc
        if current not in keys or any(len(k) != aead.KEY_SIZE for k in keys.values()):
            raise CryptoError(
                f"master key file {self.path} must hold the current version and 32-byte keys"
            )
        self._current, self._keys = current, keys

    def _write(self, current: str, keys: dict[str, bytes], *, exclusive: bool = False) -> None:
        """Write to a private temporary file, then move it into place (link when
        ``exclusive``, so an existing file is never overwritten)."""
        encoded = {v: base64.b64encode(k).decode() for v, k in keys.items()}
        data = json.dumps({"current": current, "keys": encoded}, indent=2).encode()
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            if exclusive:
                os.link(tmp, self.path)
            else:
                os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self._load()
