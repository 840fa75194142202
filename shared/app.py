"""The FastAPI application factory every service uses: the shared error shape, the body
size limit, access logging and ``GET /healthz``."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.auth.deps import PrincipalDep
from shared.errors import BodySizeLimit, install_error_handlers
from shared.logging import AccessLog
from shared.settings import SharedSettings

HealthCheck = Callable[[], None]


def create_service_app(
    service: str,
    settings: SharedSettings,
    checks: dict[str, HealthCheck],
    *,
    title: str,
    description: str = "",
    whoami: bool = False,
    body_limits: dict[str, int] | None = None,
) -> FastAPI:
    """``whoami`` adds ``GET /whoami``, showing how this service reads the caller's token:
    the quickest check that an integration's token is accepted here. ``body_limits`` raises
    the request size limit for paths starting with a prefix (file uploads)."""
    app = FastAPI(title=title, description=description, version="0.1.0")
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, by_prefix=body_limits or {}
    )
    app.add_middleware(AccessLog)

    @app.get("/healthz", tags=["operations"], summary="Health of this service and its stores")
    def healthz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # a health check reports, it never raises
                results[name] = f"failing: {type(exc).__name__}"
        healthy = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"service": service, "status": "ok" if healthy else "failing", "checks": results},
            status_code=200 if healthy else 503,
        )

    if whoami:

        @app.get("/whoami", tags=["operations"], summary="The caller as this service sees them")
        def who(principal: PrincipalDep) -> dict[str, object]:
            return {
                "subject": principal.subject,
                "organisation_id": principal.organisation_id,
                "roles": sorted(principal.roles),
                "kind": principal.kind,
            }

    return app
