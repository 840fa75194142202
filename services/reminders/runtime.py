"""What the reminders service's routes and tasks share for the life of a process."""

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated

from fastapi import Depends, Request

from services.reminders.deliveries.mailer import Mailer, mailer_for
from services.reminders.models import SCHEMA, data_keys
from services.reminders.settings import RemindersSettings
from shared.crypto import KeyFileProvider, Keyring
from shared.database import Database


@dataclass
class Reminders:
    settings: RemindersSettings
    database: Database
    keyring: Keyring

    @cached_property
    def mailer(self) -> Mailer:
        return mailer_for(self.settings)

    @classmethod
    def build(cls, settings: RemindersSettings) -> "Reminders":
        embedded = settings.environment != "production"
        provider = KeyFileProvider(settings.resolved_master_key_file(), create=embedded)
        return cls(
            settings,
            Database(settings.resolved_database_url(), SCHEMA),
            Keyring(provider, data_keys, "reminders"),
        )


@cache
def worker_runtime() -> Reminders:
    return Reminders.build(RemindersSettings())


def current_reminders(request: Request) -> Reminders:
    reminders: Reminders = request.app.state.reminders
    return reminders


RemindersDep = Annotated[Reminders, Depends(current_reminders)]
