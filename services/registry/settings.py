"""Registry settings."""

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_REGISTRY_DATABASE_URL"))
