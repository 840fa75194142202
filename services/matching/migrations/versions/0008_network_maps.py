"""network maps: eco-map members and snapshots, partner contacts, acquaintances

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("matching")
    op.create_table(
        "eco_map_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("ring", sa.String(length=8), nullable=False),
        sa.Column("support", sa.JSON(), nullable=False),
        sa.Column("reciprocity", sa.String(length=8), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("document_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_eco_map_members_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_map_members")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_eco_map_members_support_user_id"),
        "eco_map_members",
        ["support_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_eco_map_members_partner_id"),
        "eco_map_members",
        ["partner_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "eco_map_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("taken_by", sa.String(length=36), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_encrypted", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_eco_map_snapshots_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_map_snapshots")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_eco_map_snapshots_support_user_id"),
        "eco_map_snapshots",
        ["support_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "partner_contacts",
        sa.Column("activity_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("staff_user_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_partner_contacts")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_partner_contacts_partner_id"),
        "partner_contacts",
        ["partner_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "ix_partner_contacts_organisation_day",
        "partner_contacts",
        ["organisation_id", "occurred_on"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "acquaintances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("a_kind", sa.String(length=16), nullable=False),
        sa.Column("a_id", sa.String(length=36), nullable=False),
        sa.Column("b_kind", sa.String(length=16), nullable=False),
        sa.Column("b_id", sa.String(length=36), nullable=False),
        sa.Column("strength", sa.String(length=8), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquaintances")),
        sa.UniqueConstraint(
            "organisation_id",
            "a_kind",
            "a_id",
            "b_kind",
            "b_id",
            name=op.f("uq_acquaintances_organisation_id_a_kind_a_id_b_kind_b_id"),
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_acquaintances_organisation_id"),
        "acquaintances",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index("ix_acquaintances_a_id", "acquaintances", ["a_id"], unique=False, schema=schema)
    op.create_index("ix_acquaintances_b_id", "acquaintances", ["b_id"], unique=False, schema=schema)


def downgrade() -> None:
    schema = migration_schema("matching")
    op.drop_index("ix_acquaintances_b_id", table_name="acquaintances", schema=schema)
    op.drop_index("ix_acquaintances_a_id", table_name="acquaintances", schema=schema)
    op.drop_index(
        op.f("ix_acquaintances_organisation_id"), table_name="acquaintances", schema=schema
    )
    op.drop_table("acquaintances", schema=schema)
    op.drop_index(
        "ix_partner_contacts_organisation_day", table_name="partner_contacts", schema=schema
    )
    op.drop_index(
        op.f("ix_partner_contacts_partner_id"), table_name="partner_contacts", schema=schema
    )
    op.drop_table("partner_contacts", schema=schema)
    op.drop_index(
        op.f("ix_eco_map_snapshots_support_user_id"), table_name="eco_map_snapshots", schema=schema
    )
    op.drop_table("eco_map_snapshots", schema=schema)
    op.drop_index(
        op.f("ix_eco_map_members_partner_id"), table_name="eco_map_members", schema=schema
    )
    op.drop_index(
        op.f("ix_eco_map_members_support_user_id"), table_name="eco_map_members", schema=schema
    )
    op.drop_table("eco_map_members", schema=schema)
