"""every resource has its key; drop resource_terms, which resource_postings replaces

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:03:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("matching")
    op.drop_index("ix_resource_terms_term", table_name="resource_terms", schema=schema)
    op.drop_table("resource_terms", schema=schema)
    with op.batch_alter_table("resources", schema=schema) as batch:
        batch.alter_column("key", existing_type=sa.BigInteger(), nullable=False)


def downgrade() -> None:
    """resource_terms as 0003 made it, empty; 0006's downgrade fills it."""
    schema = migration_schema("matching")
    with op.batch_alter_table("resources", schema=schema) as batch:
        batch.alter_column("key", existing_type=sa.BigInteger(), nullable=True)
    op.create_table(
        "resource_terms",
        sa.Column("resource_id", sa.String(length=80), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["matching.resources.id"],
            name=op.f("fk_resource_terms_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "term", name=op.f("pk_resource_terms")),
        schema=schema,
    )
    op.create_index(
        "ix_resource_terms_term",
        "resource_terms",
        ["term", "resource_id", "weight"],
        unique=False,
        schema=schema,
    )
