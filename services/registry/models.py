"""The registry's declarative base and its infrastructure tables (data keys, outbox)."""

from sqlalchemy.orm import DeclarativeBase

from shared.crypto import data_key_table
from shared.database import service_metadata
from shared.events import outbox_table

SCHEMA = "registry"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


data_keys = data_key_table(Base.metadata)
outbox = outbox_table(Base.metadata)
