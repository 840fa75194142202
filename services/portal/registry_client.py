"""The registry as the portal sees it: log in, refresh, log out, ``/me`` and any other call
made with the person's token, over HTTP. Every failure becomes one of a few exceptions a
page can explain to a person."""

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)
# A form's errors: the message at each field id, and one for the whole form ("" if none).
FieldErrors = tuple[dict[str, str], str]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = None
    token_type: str = "bearer"
    expires_in: int | None = None


class User(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    email: str
    display_name: str


class Organisation(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    name: str
    kind: str


class Me(BaseModel):
    """The logged-in person, their organisation and their roles in it."""

    user: User
    organisation: Organisation
    roles: list[str]


class RegistryUnavailable(Exception):
    """The registry did not answer, or answered with something the portal cannot use."""


class NotAuthenticated(Exception):
    """The registry (or another service) refused the credentials or token (401)."""

    def __init__(self, code: str = "unauthorized", message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class Rejected(Exception):
    """The registry (or another service) refused the request for another reason
    (validation, rate limit, missing consent, …)."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None, body: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.body = body  # the whole answer, e.g. an import's report beside its error

    @property
    def problems(self) -> list[tuple[str | None, str]]:
        """Every wrong field the answer names, as (field, message): its ``details`` when it
        lists several, otherwise its one ``field``."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        details = error.get("details") if isinstance(error, dict) else None
        found = [
            (str(d["field"]) if d.get("field") else None, str(d.get("message", "")))
            for d in details or []
            if isinstance(d, dict)
        ]
        return found or [(self.field, self.message)]

    def at_fields(self, place: Callable[[str | None, str], tuple[str, str]]) -> FieldErrors:
        """Every problem placed on a form: ``place`` turns the service's field and message
        into the form's field id (``""`` for the whole form) and the words to show there.
        Returns the errors by field id (the first one said at each field) and the first
        error of the whole form."""
        errors: dict[str, str] = {}
        form_error = ""
        for field, message in self.problems:
            target, said = place(field, message)
            if target:
                errors.setdefault(target, said)
            elif not form_error:
                form_error = said
        return errors, form_error


class RegistryClient:
    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def login(self, email: str, password: str) -> TokenPair:
        response = await self._send(
            "POST", "/auth/login", json={"email": email, "password": password}
        )
        return self._parse(TokenPair, response)

    async def refresh(self, refresh_token: str) -> TokenPair:
        response = await self._send("POST", "/auth/refresh", json={"refresh_token": refresh_token})
        return self._parse(TokenPair, response)

    async def logout(self, refresh_token: str) -> None:
        await self._send("POST", "/auth/logout", json={"refresh_token": refresh_token})

    async def me(self, access_token: str) -> Me:
        response = await self._send(
            "GET", "/me", headers={"Authorization": f"Bearer {access_token}"}
        )
        return self._parse(Me, response)

    async def call(
        self, method: str, path: str, access_token: str, **kwargs: Any
    ) -> httpx.Response:
        """Any registry call as the logged-in person; errors become the exceptions above."""
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {access_token}"}
        return await self._send(method, path, headers=headers, **kwargs)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, self.base_url + path, **kwargs)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code < 400:
            return response
        if response.status_code >= 500:
            raise RegistryUnavailable(f"{method} {path}: HTTP {response.status_code}")
        code, message, field = error_of(response)
        if response.status_code == 401:
            raise NotAuthenticated(code, message)
        raise Rejected(response.status_code, code, message, field, json_of(response))

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise RegistryUnavailable(f"unexpected answer: {type(exc).__name__}") from exc


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_of(response: httpx.Response) -> tuple[str, str, str | None]:
    """The shared error shape ``{"error": {"code", "message", "field"}}``, tolerating others."""
    try:
        error = response.json().get("error", {})
        return str(error.get("code", "error")), str(error.get("message", "")), error.get("field")
    except (ValueError, AttributeError):
        return "error", "", None
