"""pool membership versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:49:32.219007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pool_memberships",
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        schema="matching",
    )


def downgrade() -> None:
    op.drop_column("pool_memberships", "version", schema="matching")
