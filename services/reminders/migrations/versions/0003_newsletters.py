"""newsletter issues, their deliveries, and the copy of pool memberships

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:03:22.707457
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("reminders")
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("audience", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_issues")),
        schema=schema,
    )
    op.create_index(
        "ix_newsletter_issues_due",
        "newsletter_issues",
        ["scheduled_at"],
        unique=False,
        schema=schema,
        postgresql_where="status = 'scheduled'",
    )
    op.create_index(
        op.f("ix_newsletter_issues_organisation_id"),
        "newsletter_issues",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "pool_memberships",
        sa.Column("pool_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "organisation_id", name=op.f("pk_pool_memberships")),
        schema=schema,
    )
    op.create_table(
        "newsletter_deliveries",
        sa.Column("issue_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["reminders.deliveries.id"],
            name=op.f("fk_newsletter_deliveries_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["reminders.newsletter_issues.id"],
            name=op.f("fk_newsletter_deliveries_issue_id_newsletter_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", "partner_id", name=op.f("pk_newsletter_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_newsletter_deliveries_delivery_id")),
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("reminders")
    op.drop_table("newsletter_deliveries", schema=schema)
    op.drop_table("pool_memberships", schema=schema)
    op.drop_index(
        op.f("ix_newsletter_issues_organisation_id"),
        table_name="newsletter_issues",
        schema=schema,
    )
    op.drop_index(
        "ix_newsletter_issues_due",
        table_name="newsletter_issues",
        schema=schema,
        postgresql_where="status = 'scheduled'",
    )
    op.drop_table("newsletter_issues", schema=schema)
