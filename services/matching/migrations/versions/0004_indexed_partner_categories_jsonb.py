"""indexed partners' category codes as jsonb with a GIN index (PostgreSQL), and an index
on their district

Suggestions now find resources through a category's labels by asking which partners near
the person hold one of a few categories, instead of storing every category label as terms
of each of the partner's resources. The resources' terms change with it: after this revision, run
``kortisto rebuild-matching-index`` so that every resource is indexed by its own text only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import migration_schema

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_indexed_partners_category_codes"
DISTRICT_INDEX = "ix_indexed_partners_district_code"


def upgrade() -> None:
    schema = migration_schema("matching")
    op.create_index(
        DISTRICT_INDEX, "indexed_partners", ["district_code"], unique=False, schema=schema
    )
    # SQLite keeps the list as JSON: it has no index for "holds one of".
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "indexed_partners",
        "category_codes",
        type_=postgresql.JSONB(),
        existing_type=sa.JSON(),
        existing_nullable=False,
        postgresql_using="category_codes::jsonb",
        schema=schema,
    )
    op.create_index(
        INDEX,
        "indexed_partners",
        ["category_codes"],
        unique=False,
        schema=schema,
        postgresql_using="gin",
    )


def downgrade() -> None:
    schema = migration_schema("matching")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="indexed_partners", schema=schema)
        op.alter_column(
            "indexed_partners",
            "category_codes",
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(),
            existing_nullable=False,
            postgresql_using="category_codes::json",
            schema=schema,
        )
    op.drop_index(DISTRICT_INDEX, table_name="indexed_partners", schema=schema)
