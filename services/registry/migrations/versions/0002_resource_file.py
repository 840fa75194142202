"""resource file

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:49:30.175943
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.create_table(
        "access_chain_heads",
        sa.Column("owner_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("owner_organisation_id", name=op.f("pk_access_chain_heads")),
        schema=schema,
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("reader_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("reader", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
        sa.UniqueConstraint(
            "owner_organisation_id", "seq", name=op.f("uq_access_log_owner_organisation_id_seq")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_access_log_partner_id"),
        "access_log",
        ["partner_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responsible_user_id", sa.String(length=36), nullable=True),
        sa.Column("district_code", sa.String(length=16), nullable=True),
        sa.Column("tie_strength", sa.String(length=8), nullable=False),
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("card_updated_on", sa.Date(), nullable=False),
        sa.Column("card_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("purge_after", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_partners_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        schema=schema,
    )
    op.create_index(
        "ix_partners_district", "partners", ["district_code"], unique=False, schema=schema
    )
    op.create_index(
        "ix_partners_org_status",
        "partners",
        ["organisation_id", "status"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_partners_organisation_id"),
        "partners",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_partners_responsible_user_id"),
        "partners",
        ["responsible_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("staff_user_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_activities_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        schema=schema,
    )
    op.create_index(
        "ix_activities_partner",
        "activities",
        ["partner_id", "occurred_on"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "competence_cards",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("card_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_competence_cards_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_cards")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_competence_cards_partner_id"),
        "competence_cards",
        ["partner_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "consent_grants",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_consent_grants_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "purpose", name=op.f("pk_consent_grants")),
        schema=schema,
    )
    op.create_index(
        "ix_consent_grants_purpose", "consent_grants", ["purpose"], unique=False, schema=schema
    )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("information_version", sa.String(length=32), nullable=False),
        sa.Column("evidence_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("obtained_by", sa.String(length=64), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_consent_records_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
        schema=schema,
    )
    op.create_index(
        "ix_consent_records_partner",
        "consent_records",
        ["partner_id", "recorded_at"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "contributions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["registry.partners.id"],
            name=op.f("fk_contributions_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributions")),
        schema=schema,
    )
    op.create_index(
        "ix_contributions_partner",
        "contributions",
        ["partner_id", "occurred_on"],
        unique=False,
        schema=schema,
    )
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
        "ix_partner_categories_code",
        "partner_categories",
        ["code"],
        unique=False,
        schema=schema,
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
    )
    op.add_column(
        "pool_members",
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_column("pool_members", "version", schema=schema)
    op.drop_index("ix_partner_terms_lookup", table_name="partner_terms", schema=schema)
    op.drop_table("partner_terms", schema=schema)
    op.drop_index("ix_partner_categories_code", table_name="partner_categories", schema=schema)
    op.drop_table("partner_categories", schema=schema)
    op.drop_index("ix_contributions_partner", table_name="contributions", schema=schema)
    op.drop_table("contributions", schema=schema)
    op.drop_index("ix_consent_records_partner", table_name="consent_records", schema=schema)
    op.drop_table("consent_records", schema=schema)
    op.drop_index("ix_consent_grants_purpose", table_name="consent_grants", schema=schema)
    op.drop_table("consent_grants", schema=schema)
    op.drop_index(
        op.f("ix_competence_cards_partner_id"), table_name="competence_cards", schema=schema
    )
    op.drop_table("competence_cards", schema=schema)
    op.drop_index("ix_activities_partner", table_name="activities", schema=schema)
    op.drop_table("activities", schema=schema)
    op.drop_index(op.f("ix_partners_responsible_user_id"), table_name="partners", schema=schema)
    op.drop_index(op.f("ix_partners_organisation_id"), table_name="partners", schema=schema)
    op.drop_index("ix_partners_org_status", table_name="partners", schema=schema)
    op.drop_index("ix_partners_district", table_name="partners", schema=schema)
    op.drop_table("partners", schema=schema)
    op.drop_index(op.f("ix_access_log_partner_id"), table_name="access_log", schema=schema)
    op.drop_table("access_log", schema=schema)
    op.drop_table("access_chain_heads", schema=schema)
