"""a partner's blind-index terms and category codes as lists on its row (filled by 0008,
indexed by 0009)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.database import EmptyList, string_list
from shared.migrations import migration_schema

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTS = ("category_codes", "terms")


def upgrade() -> None:
    schema = migration_schema("registry")
    for column in LISTS:
        op.add_column(
            "partners",
            sa.Column(column, string_list(), server_default=EmptyList(), nullable=False),
            schema=schema,
        )


def downgrade() -> None:
    schema = migration_schema("registry")
    for column in reversed(LISTS):
        op.drop_column("partners", column, schema=schema)
