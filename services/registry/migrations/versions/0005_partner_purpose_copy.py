"""a copy of each partner's consent purposes on its row, for cheap visibility checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 07:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.add_column(
        "partners",
        sa.Column("purposes", sa.Text(), server_default="", nullable=False),
        schema=schema,
    )
    op.add_column(
        "partners", sa.Column("purposes_expire_on", sa.Date(), nullable=True), schema=schema
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_column("partners", "purposes_expire_on", schema=schema)
    op.drop_column("partners", "purposes", schema=schema)
