"""Alembic environment of the matching service (its own history and version table)."""

import services.matching.tables  # noqa: F401  (registers every table on the metadata)
from services.matching.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
