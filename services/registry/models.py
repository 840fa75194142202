"""The registry's declarative base and its infrastructure tables (data keys, outbox)."""

from shared.crypto import data_key_table
from shared.database import make_base
from shared.events import outbox_table

SCHEMA = "registry"

Base = make_base(SCHEMA)
data_keys = data_key_table(Base.metadata)
outbox = outbox_table(Base.metadata)
