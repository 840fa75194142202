"""covering indexes for search: partner ids in the term index, validity in the consent
grant index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 07:20:00
"""

from collections.abc import Sequence

from alembic import op

from shared.migrations import migration_schema

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.drop_index("ix_partner_terms_lookup", table_name="partner_terms", schema=schema)
    op.create_index(
        "ix_partner_terms_lookup",
        "partner_terms",
        ["kind", "term"],
        unique=False,
        schema=schema,
        postgresql_include=["partner_id"],
    )
    op.create_index(
        "ix_consent_grants_valid",
        "consent_grants",
        ["partner_id", "purpose"],
        unique=False,
        schema=schema,
        postgresql_include=["valid_until"],
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_index("ix_consent_grants_valid", table_name="consent_grants", schema=schema)
    op.drop_index("ix_partner_terms_lookup", table_name="partner_terms", schema=schema)
    op.create_index(
        "ix_partner_terms_lookup", "partner_terms", ["kind", "term"], unique=False, schema=schema
    )
