"""the record of events the registry applied (from matching)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
        schema=schema,
    )


def downgrade() -> None:
    op.drop_table("processed_events", schema=migration_schema("registry"))
