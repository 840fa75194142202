"""Alembic environment of the reminders service (its own history and version table)."""

import services.reminders.tables  # noqa: F401  (registers every table on the metadata)
from services.reminders.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
