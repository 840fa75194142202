"""pool membership versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:49:32.219007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("matching")
    op.add_column(
        "pool_memberships",
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("matching")
    op.drop_column("pool_memberships", "version", schema=schema)
