"""The matching service's declarative base and its record of applied events."""

from shared.database import make_base
from shared.events import processed_event_table

SCHEMA = "matching"

Base = make_base(SCHEMA)
processed_events = processed_event_table(Base.metadata)
