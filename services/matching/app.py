"""The matching application: support users, wishes, the resource index, suggestions,
referrals and demand figures."""

from fastapi import FastAPI

from services.matching.aggregates.api import router as aggregates_router
from services.matching.networks.api import eco_maps as eco_maps_router
from services.matching.networks.api import networks as networks_router
from services.matching.referrals.api import router as referrals_router
from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
from services.matching.support_users.api import router as support_users_router
from services.matching.wishes.api import router as wishes_router
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.logging import configure_logging


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    configure_logging("matching", settings.log_level)
    matching = Matching.build(settings)
    app = create_service_app(
        "matching",
        settings,
        {"database": matching.database.ping},
        title="Kortisto matching",
        description="Support users' wishes matched to community resources.",
        whoami=True,
    )
    app.state.matching = matching
    app.state.database = matching.database
    app.state.token_verifier = TokenVerifier.of_registry(settings)
    for router in (
        support_users_router,
        wishes_router,
        referrals_router,
        aggregates_router,
        eco_maps_router,
        networks_router,
    ):
        app.include_router(router)
    return app
