"""The matching service's declarative base and its record of applied events."""

from sqlalchemy.orm import DeclarativeBase

from shared.database import service_metadata
from shared.events import processed_event_table

SCHEMA = "matching"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


processed_events = processed_event_table(Base.metadata)
