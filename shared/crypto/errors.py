"""Exceptions of the crypto package. Messages never contain plaintext, keys or personal data."""


class CryptoError(Exception):
    """Base of every error raised by :mod:`shared.crypto`."""


class DecryptionFailed(CryptoError):
    """The ciphertext was tampered with or is read with the wrong key or associated data."""


class SubjectShredded(CryptoError):
    """The data subject's key has been destroyed: the data can never be read again."""


class KeyNotAvailable(CryptoError):
    """A master key version or data key that is asked for does not exist."""


class UnsupportedFormat(CryptoError):
    """The ciphertext carries a format version this code does not know."""
