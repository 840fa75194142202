"""The blind-index terms of a partner, and the same normalisation for search queries.

Names are indexed by token prefixes (two characters and longer) so a prefix search works
without decrypting; free text by words and, for longer words, a five-letter stem prefix
that lets "kokki" find "kokkikerho". Terms are HMACs under the owner's organisation key,
which hides the words but not how often a term occurs; that is the price of searching."""

import re
import unicodedata
from collections.abc import Iterable

from shared.crypto import name_tokens

NAME_PREFIX_MIN = 2
NAME_PREFIX_MAX = 20
STEM = 5
_WORD = re.compile(r"[^\W_]+")


def tagged(kind: str, indexes: Iterable[str]) -> list[str]:
    """Terms as a partner row holds them: ``<kind>:<index>``. The kind is already part of
    each HMAC's input; the tag keeps it readable (and lets a migration split it off)."""
    return [f"{kind}:{index}" for index in indexes]


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_prefixes(name: str) -> set[str]:
    prefixes = set()
    for token in name_tokens(name):
        for end in range(NAME_PREFIX_MIN, min(len(token), NAME_PREFIX_MAX) + 1):
            prefixes.add(token[:end])
        if len(token) < NAME_PREFIX_MIN:
            prefixes.add(token)
    return prefixes


def name_query(query: str) -> list[str]:
    """Each query token, cut to the longest indexed prefix."""
    return [token[:NAME_PREFIX_MAX] for token in name_tokens(query)]


def words(texts: Iterable[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in _WORD.findall(fold(text)):
            found.add(word)
            if len(word) > STEM:
                found.add("~" + word[:STEM])
    return found


def word_query(query: str) -> list[list[str]]:
    """Alternatives per query word: the word itself, or its stem prefix."""
    alternatives = []
    for word in _WORD.findall(fold(query)):
        options = [word]
        if len(word) >= STEM:
            options.append("~" + word[:STEM])
        alternatives.append(options)
    return alternatives
