"""The reminders service as the portal sees it: a staff member's due items and delivery
settings, the organisation's upkeep policy, deliveries and their retry, newsletters and the
operations summary, each call made with the logged-in person's token over HTTP. A refusal
becomes the same exceptions as the registry's (:class:`NotAuthenticated` for 401,
:class:`Rejected` for any other 4xx); a reminders service that does not answer is
:class:`RemindersUnavailable` (the 503 page)."""

from typing import Any

import httpx

from services.portal.registry_client import NotAuthenticated, Rejected, error_of, json_of


class RemindersUnavailable(Exception):
    """Reminders did not answer, or answered with something the portal cannot use."""


class RemindersClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def call(
        self, method: str, path: str, access_token: str, **kwargs: Any
    ) -> httpx.Response:
        """Any reminders call as the logged-in person; errors become the exceptions above."""
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {access_token}"}
        try:
            response = await self.http.request(
                method, self.base_url + path, headers=headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise RemindersUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code < 400:
            return response
        if response.status_code >= 500:
            raise RemindersUnavailable(f"{method} {path}: HTTP {response.status_code}")
        code, message, field = error_of(response)
        if response.status_code == 401:
            raise NotAuthenticated(code, message)
        raise Rejected(response.status_code, code, message, field, json_of(response))

    async def forward(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request passed on without anyone's token (a newsletter's unsubscribe link),
        answered as reminders answers it, refusals included; only silence or a failure of
        reminders itself is :class:`RemindersUnavailable`."""
        try:
            response = await self.http.request(method, self.base_url + path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemindersUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise RemindersUnavailable(f"{method} {path}: HTTP {response.status_code}")
        return response
