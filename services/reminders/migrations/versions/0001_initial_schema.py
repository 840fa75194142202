"""initial schema

Revision ID: 0001
Revises: -
Create Date: 2026-11-23 05:29:38.965162
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("reminders")
    op.create_table(
        "heartbeats",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeats")),
        schema=schema,
    )
    op.create_index(op.f("ix_heartbeats_at"), "heartbeats", ["at"], unique=False, schema=schema)
    op.create_table(
        "organisation_clocks",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_clocks")),
        schema=schema,
    )
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
    schema = migration_schema("reminders")
    op.drop_table("processed_events", schema=schema)
    op.drop_table("organisation_clocks", schema=schema)
    op.drop_index(op.f("ix_heartbeats_at"), table_name="heartbeats", schema=schema)
    op.drop_table("heartbeats", schema=schema)
