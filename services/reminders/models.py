"""The reminders service's declarative base and its infrastructure tables: data keys, the
outbox and the record of applied events."""

from sqlalchemy.orm import DeclarativeBase

from shared.crypto import data_key_table
from shared.database import service_metadata
from shared.events import outbox_table, processed_event_table

SCHEMA = "reminders"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


data_keys = data_key_table(Base.metadata)
outbox = outbox_table(Base.metadata)
processed_events = processed_event_table(Base.metadata)
