"""Alembic environment of the registry service (its own history and version table)."""

import services.registry.tables  # noqa: F401  (registers every table on the metadata)
from services.registry.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
