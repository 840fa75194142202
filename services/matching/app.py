"""The matching application: support users, wishes and ranking (growing)."""

from fastapi import FastAPI

from services.matching.runtime import Matching
from services.matching.settings import MatchingSettings
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
    return app
