"""The registry's tokens in the portal's session cookie, and refreshing them so that
requests racing with the same expired session do not end it."""

import asyncio
import hashlib
import time

from starlette.requests import Request

from services.portal.registry_client import RegistryClient, TokenPair

# The only things the session cookie ever holds: these two tokens, the chosen language,
# the form token and a one-shot notice code. Never a name, an e-mail address or any other
# personal value.
ACCESS_TOKEN = "access_token"
REFRESH_TOKEN = "refresh_token"
LANGUAGE = "language"
NOTICE = "notice"


def store_tokens(request: Request, tokens: TokenPair) -> None:
    request.session[ACCESS_TOKEN] = tokens.access_token
    if tokens.refresh_token:
        request.session[REFRESH_TOKEN] = tokens.refresh_token
    else:
        request.session.pop(REFRESH_TOKEN, None)


def forget_tokens(request: Request) -> None:
    request.session.pop(ACCESS_TOKEN, None)
    request.session.pop(REFRESH_TOKEN, None)


class TokenRefresher:
    """Swaps a refresh token for a new pair at most once per portal process.

    The registry rotates refresh tokens and treats a rotated one coming back as theft,
    ending every session of the user. Two tabs or parallel page loads carry the same old
    cookie, so without this the second request would log the person out everywhere. The
    new pair is remembered for a short while and handed to every request that presents
    the same old token. (Several portal processes behind a proxy would need this shared,
    e.g. in Redis; one process per session affinity avoids it.)"""

    def __init__(self, registry: RegistryClient, remember_seconds: float = 60.0) -> None:
        self.registry = registry
        self.remember_seconds = remember_seconds
        self._locks: dict[str, asyncio.Lock] = {}
        self._recent: dict[str, tuple[float, TokenPair]] = {}

    async def refresh(self, refresh_token: str) -> TokenPair:
        key = hashlib.sha256(refresh_token.encode()).hexdigest()
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                self._forget_old()
                remembered = self._recent.get(key)
                if remembered is not None:
                    return remembered[1]
                tokens = await self.registry.refresh(refresh_token)
                self._recent[key] = (time.monotonic() + self.remember_seconds, tokens)
                return tokens
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, (until, _) in self._recent.items() if until <= now]:
            del self._recent[key]
