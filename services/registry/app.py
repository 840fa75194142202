"""The registry application: identity, sharing pools and the resource file."""

from fastapi import FastAPI

from services.registry.access.api import router as access_router
from services.registry.activities.api import router as activities_router
from services.registry.aggregates.api import router as aggregates_router
from services.registry.audit.api import router as audit_router
from services.registry.auth.api import router as auth_router
from services.registry.consent.api import router as consent_router
from services.registry.districts.api import router as districts_router
from services.registry.identity.api import router as identity_router
from services.registry.partners.api import router as partners_router
from services.registry.planning.api import router as planning_router
from services.registry.pools.api import router as pools_router
from services.registry.reference.api import router as reference_router
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.registry.transfer.api import router as transfer_router
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.logging import configure_logging


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    configure_logging("registry", settings.log_level)
    registry = Registry.build(settings)
    app = create_service_app(
        "registry",
        settings,
        {"database": registry.database.ping},
        title="Kortisto registry",
        description="Identity, sharing pools and the shared resource file.",
        body_limits={"/imports/": settings.import_max_bytes},
    )
    app.state.registry = registry
    app.state.database = registry.database
    app.state.token_verifier = TokenVerifier.for_issuer(registry.issuer)
    routers = (
        auth_router,
        identity_router,
        pools_router,
        audit_router,
        partners_router,
        consent_router,
        activities_router,
        access_router,
        aggregates_router,
        planning_router,
        reference_router,
        districts_router,
        transfer_router,
    )
    for router in routers:
        app.include_router(router)
    return app
