"""planning: statistics shared with municipalities, the copy of demand from matching's
wish.changed, and monthly coverage snapshots

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.database import EmptyList, string_list
from shared.migrations import migration_schema

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.create_table(
        "statistics_shares",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=36), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["registry.organisations.id"],
            name=op.f("fk_statistics_shares_municipality_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_statistics_shares_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "municipality_id", name=op.f("pk_statistics_shares")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_statistics_shares_municipality_id"),
        "statistics_shares",
        ["municipality_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "demand_wishes",
        sa.Column("wish_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=True),
        sa.Column("category_codes", string_list(), server_default=EmptyList(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("wish_id", name=op.f("pk_demand_wishes")),
        schema=schema,
    )
    op.create_index(
        "ix_demand_wishes_org_open",
        "demand_wishes",
        ["organisation_id", "open"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "coverage_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["registry.organisations.id"],
            name=op.f("fk_coverage_snapshots_municipality_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_snapshots")),
        sa.UniqueConstraint(
            "municipality_id", "month", name=op.f("uq_coverage_snapshots_municipality_id_month")
        ),
        schema=schema,
    )
    op.create_table(
        "coverage_snapshot_entries",
        sa.Column("snapshot_id", sa.String(length=36), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("supply", sa.Integer(), nullable=True),
        sa.Column("demand", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["registry.coverage_snapshots.id"],
            name=op.f("fk_coverage_snapshot_entries_snapshot_id_coverage_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id",
            "district_code",
            "category_code",
            name=op.f("pk_coverage_snapshot_entries"),
        ),
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_table("coverage_snapshot_entries", schema=schema)
    op.drop_table("coverage_snapshots", schema=schema)
    op.drop_index("ix_demand_wishes_org_open", table_name="demand_wishes", schema=schema)
    op.drop_table("demand_wishes", schema=schema)
    op.drop_index(
        op.f("ix_statistics_shares_municipality_id"), table_name="statistics_shares", schema=schema
    )
    op.drop_table("statistics_shares", schema=schema)
