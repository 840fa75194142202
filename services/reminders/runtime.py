"""What the reminders service's routes and tasks share for the life of a process."""

from dataclasses import dataclass
from functools import cache

from services.reminders.models import SCHEMA
from services.reminders.settings import RemindersSettings
from shared.database import Database


@dataclass
class Reminders:
    settings: RemindersSettings
    database: Database

    @classmethod
    def build(cls, settings: RemindersSettings) -> "Reminders":
        return cls(settings, Database(settings.resolved_database_url(), SCHEMA))


@cache
def worker_runtime() -> Reminders:
    return Reminders.build(RemindersSettings())
