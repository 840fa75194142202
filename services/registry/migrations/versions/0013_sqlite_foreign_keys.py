"""foreign keys on the embedded SQLite database, which was created without them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:40:00
"""

from collections.abc import Sequence

import services.registry.tables  # noqa: F401  (registers every table on the metadata)
from services.registry.models import Base
from shared.migrations import restore_sqlite_foreign_keys

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    restore_sqlite_foreign_keys(Base.metadata)


def downgrade() -> None:
    """The keys stay: a database without them is not one to go back to."""
