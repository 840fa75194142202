"""Reminders settings: its database, the Celery broker and the periodic ticks."""

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class RemindersSettings(ServiceSettings):
    service_name: str = "reminders"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_REMINDERS_DATABASE_URL"))
    heartbeat_seconds: float = Field(60.0, description="how often beat proves the worker runs")
    relay_seconds: float = Field(5.0, description="how often outbox events are relayed")
