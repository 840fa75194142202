"""The services with a database schema of their own, in migration order."""

from shared.database import Database
from shared.settings import ServiceSettings


def service_settings() -> dict[str, ServiceSettings]:
    from services.matching.settings import MatchingSettings
    from services.registry.settings import RegistrySettings
    from services.reminders.settings import RemindersSettings

    return {
        "registry": RegistrySettings(),
        "matching": MatchingSettings(),
        "reminders": RemindersSettings(),
    }


def database_of(name: str, settings: ServiceSettings) -> Database:
    return Database(settings.resolved_database_url(), name)
