"""Domain errors and the one JSON error shape every service answers with:
``{"error": {"code": ..., "message": ..., "field": ...}}``."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[tuple[str, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        # Every field that is wrong, as (field, message), when there is more than one: a
        # form then shows them all at once. ``field`` and ``message`` are the first.
        self.details = details or []
        if code:
            self.code = code


class Invalid(DomainError):
    status = 422
    code = "invalid"

    def __init__(
        self,
        field: str,
        message: str,
        *,
        code: str | None = None,
        details: list[tuple[str, str]] | None = None,
    ):
        super().__init__(message, field=field, code=code, details=details)

    @classmethod
    def every(cls, problems: "list[Invalid]") -> "Invalid":
        """One error naming every problem found (the first as its ``field``)."""
        first = problems[0]
        details = [pair for p in problems for pair in (p.details or [(str(p.field), p.message)])]
        return cls(str(first.field), first.message, code=first.code, details=details)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ConsentMissing(Forbidden):
    code = "consent_missing"


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    body = error_body(exc.code, exc.message, exc.field)
    if exc.details:
        # The same list a request's validation errors come with (see _validation_error).
        body["error"]["details"] = [
            {"field": field, "message": message} for field, message in exc.details
        ]
    return JSONResponse(body, exc.status, headers=headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _field_of(tuple(first.get("loc", ())))
    text = str(first.get("msg", "invalid value"))
    message = f"{field}: {text}" if field else text
    body = error_body("invalid", message, field or None)
    body["error"]["details"] = [
        {"field": _field_of(tuple(e.get("loc", ()))), "message": e.get("msg", "")} for e in errors
    ]
    return JSONResponse(body, 422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    return JSONResponse(
        error_body(code, str(exc.detail)), exc.status_code, headers=getattr(exc, "headers", None)
    )


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    """A value the database refuses as data (a NUL character in a text, a number beyond
    its type) is bad input, not a fault. The unit of work has rolled back: nothing was
    stored."""
    message = (
        "a value cannot be stored: it holds a character or a number the database does not "
        "take (such as a NUL character)"
    )
    return JSONResponse(error_body("invalid_value", message), 422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)


class BodySizeLimit:
    """Answers 413 in the shared error shape when a request body is larger than the limit,
    whether the client declared its length or streams it."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, by_prefix: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.by_prefix = by_prefix or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # An HTTPException passes through FastAPI's body parsing untouched and
                    # reaches the shared handler; any other error would become a 400.
                    raise StarletteHTTPException(413, f"request body exceeds {limit} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, send: Send, limit: int) -> None:
        response = JSONResponse(
            error_body("payload_too_large", f"request body exceeds {limit} bytes"), 413
        )
        await response({"type": "http"}, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}
