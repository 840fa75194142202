"""Settings read from environment variables (prefix ``KORTISTO_``), one class per service
extending :class:`SharedSettings`. Read once at start-up and passed in."""

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.reference_data.manifest import ORIGIN_URL


class SharedSettings(BaseSettings):
    """What every service needs to know. Defaults give the embedded mode under ``./var``."""

    model_config = SettingsConfigDict(env_prefix="KORTISTO_", extra="ignore", populate_by_name=True)

    environment: str = Field("embedded", description="embedded, production or test")
    data_dir: Path = Field(Path("var"), description="where embedded files and keys live")
    master_key_file: Path | None = Field(
        None,
        description="JSON key file with the master keys (KEK); default <data_dir>/keys/master.json",
    )
    jwt_private_key_file: Path | None = Field(
        None,
        description="Ed25519 PEM key that signs access tokens; default <data_dir>/keys/jwt.pem",
    )
    jwt_issuer: str = "kortisto-registry"
    jwt_audience: str = "kortisto"
    access_token_seconds: int = 900
    refresh_token_days: int = 30
    registry_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    reminders_url: str = "http://127.0.0.1:8003"
    portal_url: str = "http://127.0.0.1:8000"
    broker_url: str = Field("", description="Celery broker; empty means the embedded SQLite broker")
    broker_poll_seconds: float = Field(
        0.1,
        gt=0,
        description="how often a worker looks for new messages on a broker that is polled (the "
        "embedded SQLite one); Redis hands them over as they arrive",
    )
    result_backend: str = Field("", description="Celery results; empty means embedded SQLite")
    log_level: str = "INFO"
    reference_data_dir: Path | None = Field(
        None,
        description="folder with the reference data: default districts "
        "(fi-paavo-helsinki-postal-areas/), categories (fi-ptv-service-classes/) and the "
        "vocabularies matching reads (fi-yso-labels/, fi-lipas-sport-facility-types/); what "
        "it holds is used as it is, what it lacks is downloaded into it; default "
        "<data_dir>/reference",
    )
    reference_data_url: str = Field(
        ORIGIN_URL,
        description="where missing reference data is downloaded from, as "
        "<url>/<owner>/<repository>/<commit>/<path>; empty: never download",
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, description="larger request bodies get 413")
    default_phone_region: str = "FI"
    timezone: str = "Europe/Helsinki"

    @field_validator("reference_data_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None

    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "keys" / "master.json"

    def resolved_jwt_private_key_file(self) -> Path:
        return self.jwt_private_key_file or self.data_dir / "keys" / "jwt.pem"

    def resolved_reference_data_dir(self) -> Path:
        return self.reference_data_dir or self.data_dir / "reference"

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{(self.data_dir / f'{name}.db').as_posix()}"

    def celery_broker_url(self) -> str:
        return self.broker_url or "sqla+" + self.sqlite_url("celery-broker")

    def celery_result_backend(self) -> str:
        return self.result_backend or "db+" + self.sqlite_url("celery-results")


class ServiceSettings(SharedSettings):
    """A service with its own database schema. ``database_url`` empty means the embedded
    SQLite file ``<data_dir>/<schema>.db``."""

    service_name: str = ""
    database_url: str = ""

    def resolved_database_url(self) -> str:
        return self.database_url or self.sqlite_url(self.service_name)
