"""GIN indexes on the partners' term and category lists (PostgreSQL); drop partner_terms
and partner_categories, which the lists replace

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 08:32:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LISTS = ("category_codes", "terms")


def upgrade() -> None:
    schema = migration_schema("registry")
    # SQLite has no index for "holds one of"; the embedded default reads the lists whole.
    if op.get_bind().dialect.name == "postgresql":
        for column in LISTS:
            op.create_index(
                f"ix_partners_{column}",
                "partners",
                [column],
                unique=False,
                schema=schema,
                postgresql_using="gin",
            )
    op.drop_index("ix_partner_terms_lookup", table_name="partner_terms", schema=schema)
    op.drop_table("partner_terms", schema=schema)
    op.drop_index("ix_partner_categories_code", table_name="partner_categories", schema=schema)
    op.drop_table("partner_categories", schema=schema)


def downgrade() -> None:
    """The tables as 0002 and 0004 left them; 0008's downgrade fills them."""
    schema = migration_schema("registry")
    if op.get_bind().dialect.name == "postgresql":
        for column in LISTS:
            op.drop_index(f"ix_partners_{column}", table_name="partners", schema=schema)
    op.create_table(
        "partner_categories",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_partner_categories_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "code", name=op.f("pk_partner_categories")),
        schema=schema,
    )
    op.create_index(
        "ix_partner_categories_code", "partner_categories", ["code"], unique=False, schema=schema
    )
    op.create_table(
        "partner_terms",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_partner_terms_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "kind", "term", name=op.f("pk_partner_terms")),
        schema=schema,
    )
    op.create_index(
        "ix_partner_terms_lookup",
        "partner_terms",
        ["kind", "term"],
        unique=False,
        schema=schema,
        postgresql_include=["partner_id"],
    )
