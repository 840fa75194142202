"""The partners' GIN indexes insert their entries at once instead of through a pending list
(PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 17:20:00

With ``fastupdate`` on (PostgreSQL's default) new entries wait in a pending list until
VACUUM or the list's size limit merges them, and every search through the index reads the
whole list meanwhile. A bulk import writes tens of thousands of entries while it searches
the same index for possible duplicates: the pending list made that import twice as slow,
and it slows searches after every burst of writes.
"""

from collections.abc import Sequence

from alembic import op

from shared.migrations import migration_schema

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ("ix_partners_terms", "ix_partners_category_codes")


def upgrade() -> None:
    _set_fastupdate("off")


def downgrade() -> None:
    _set_fastupdate("on")


def _set_fastupdate(value: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no GIN indexes
    schema = migration_schema("registry")
    for index in INDEXES:
        op.execute(f'ALTER INDEX "{schema}"."{index}" SET (fastupdate = {value})')
