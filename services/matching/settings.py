"""Matching settings."""

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_MATCHING_DATABASE_URL"))
    statistics_seconds: float = Field(
        60.0,
        ge=0,
        description="how long ranking trusts its counts of resources and terms, and its "
        "copy of the district neighbours and category labels",
    )
