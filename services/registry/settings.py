"""Registry settings."""

from pathlib import Path

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_REGISTRY_DATABASE_URL"))
    pending_partner_days: int = Field(
        30, ge=1, description="days a partner without `file` consent is kept before purging"
    )
    reference_data_dir: Path = Field(
        Path("../shared/data"),
        description="folder with the default districts (fi-paavo-helsinki-postal-areas/) and "
        "categories (fi-ptv-service-classes/)",
    )
