"""Registry settings."""

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_REGISTRY_DATABASE_URL"))
    pending_partner_days: int = Field(
        30, ge=1, description="days a partner without `file` consent is kept before purging"
    )
    import_max_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="largest uploaded import file; larger get 413"
    )
    import_max_rows: int = Field(10_000, ge=1, description="most data rows in one import")
    import_max_columns: int = Field(200, ge=1, description="most columns in one import")
    password_time_cost: int = Field(3, ge=1, description="Argon2id iterations")
    password_memory_kib: int = Field(65536, ge=8, description="Argon2id memory per hash, KiB")
    password_parallelism: int = Field(4, ge=1, description="Argon2id lanes")
