"""reference data and district work

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:02:15.762025
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
    schema = migration_schema("registry")
    op.create_table(
        "categories",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("label_fi", sa.String(length=300), nullable=True),
        sa.Column("label_sv", sa.String(length=300), nullable=True),
        sa.Column("label_en", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_categories_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint(
            "organisation_id", "code", name=op.f("uq_categories_organisation_id_code")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_categories_organisation_id"),
        "categories",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "uq_categories_code_defaults",
        "categories",
        ["code"],
        unique=True,
        schema=schema,
        postgresql_where=sa.text("organisation_id IS NULL"),
        sqlite_where=sa.text("organisation_id IS NULL"),
    )
    op.create_table(
        "district_assignments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("assigned_by", sa.String(length=36), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_district_assignments_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["registry.users.id"],
            name=op.f("fk_district_assignments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_assignments")),
        sa.UniqueConstraint(
            "organisation_id",
            "district_code",
            "user_id",
            name=op.f("uq_district_assignments_organisation_id_district_code_user_id"),
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_district_assignments_organisation_id"),
        "district_assignments",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_district_assignments_user_id"),
        "district_assignments",
        ["user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "districts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_fi", sa.String(length=200), nullable=False),
        sa.Column("name_sv", sa.String(length=200), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("centre_x", sa.Float(), nullable=False),
        sa.Column("centre_y", sa.Float(), nullable=False),
        sa.Column("centre_lat", sa.Float(), nullable=False),
        sa.Column("centre_lon", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_districts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint(
            "organisation_id", "code", name=op.f("uq_districts_organisation_id_code")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_districts_organisation_id"),
        "districts",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "uq_districts_code_defaults",
        "districts",
        ["code"],
        unique=True,
        schema=schema,
        postgresql_where=sa.text("organisation_id IS NULL"),
        sqlite_where=sa.text("organisation_id IS NULL"),
    )
    op.create_table(
        "knowledge_notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("question_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("answer_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("staff_user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_knowledge_notes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_notes")),
        schema=schema,
    )
    op.create_index(
        "ix_knowledge_notes_org_district_noted",
        "knowledge_notes",
        ["organisation_id", "district_code", "noted_on"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_knowledge_notes_organisation_id"),
        "knowledge_notes",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_knowledge_notes_staff_user_id"),
        "knowledge_notes",
        ["staff_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "district_neighbours",
        sa.Column("district_id", sa.String(length=36), nullable=False),
        sa.Column("neighbour_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["registry.districts.id"],
            name=op.f("fk_district_neighbours_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["neighbour_id"],
            ["registry.districts.id"],
            name=op.f("fk_district_neighbours_neighbour_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("district_id", "neighbour_id", name=op.f("pk_district_neighbours")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_district_neighbours_neighbour_id"),
        "district_neighbours",
        ["neighbour_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_index(
        op.f("ix_district_neighbours_neighbour_id"),
        table_name="district_neighbours",
        schema=schema,
    )
    op.drop_table("district_neighbours", schema=schema)
    op.drop_index(
        op.f("ix_knowledge_notes_staff_user_id"), table_name="knowledge_notes", schema=schema
    )
    op.drop_index(
        op.f("ix_knowledge_notes_organisation_id"), table_name="knowledge_notes", schema=schema
    )
    op.drop_index(
        "ix_knowledge_notes_org_district_noted", table_name="knowledge_notes", schema=schema
    )
    op.drop_table("knowledge_notes", schema=schema)
    op.drop_index(
        "uq_districts_code_defaults",
        table_name="districts",
        schema=schema,
        postgresql_where=sa.text("organisation_id IS NULL"),
        sqlite_where=sa.text("organisation_id IS NULL"),
    )
    op.drop_index(op.f("ix_districts_organisation_id"), table_name="districts", schema=schema)
    op.drop_table("districts", schema=schema)
    op.drop_index(
        op.f("ix_district_assignments_user_id"),
        table_name="district_assignments",
        schema=schema,
    )
    op.drop_index(
        op.f("ix_district_assignments_organisation_id"),
        table_name="district_assignments",
        schema=schema,
    )
    op.drop_table("district_assignments", schema=schema)
    op.drop_index(
        "uq_categories_code_defaults",
        table_name="categories",
        schema=schema,
        postgresql_where=sa.text("organisation_id IS NULL"),
        sqlite_where=sa.text("organisation_id IS NULL"),
    )
    op.drop_index(op.f("ix_categories_organisation_id"), table_name="categories", schema=schema)
    op.drop_table("categories", schema=schema)
