"""resources get a numeric key; resource_postings, keyed by it, to take over from
resource_terms (filled by 0006, which 0007 drops)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:01:00
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
    schema = migration_schema("matching")
    with op.batch_alter_table("resources", schema=schema) as batch:
        batch.add_column(sa.Column("key", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint(op.f("uq_resources_key"), ["key"])
    op.create_table(
        "resource_postings",
        sa.Column("resource_key", sa.BigInteger(), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_key"],
            ["matching.resources.key"],
            name=op.f("fk_resource_postings_resource_key_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_key", "term", name=op.f("pk_resource_postings")),
        schema=schema,
    )
    op.create_index(
        "ix_resource_postings_term",
        "resource_postings",
        ["term", "resource_key", "weight"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("matching")
    op.drop_index("ix_resource_postings_term", table_name="resource_postings", schema=schema)
    op.drop_table("resource_postings", schema=schema)
    with op.batch_alter_table("resources", schema=schema) as batch:
        batch.drop_constraint(op.f("uq_resources_key"), type_="unique")
        batch.drop_column("key")
