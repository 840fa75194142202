"""support users, wishes, resource index, referrals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:00:11.221159
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
    schema = migration_schema("matching")
    op.create_table(
        "category_labels",
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label_fi", sa.String(length=300), nullable=False),
        sa.Column("label_sv", sa.String(length=300), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("scope", "code", name=op.f("pk_category_labels")),
        schema=schema,
    )
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("wrapped_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'subject') = (subject_id IS NOT NULL)", name=op.f("ck_data_keys_subject")
        ),
        sa.CheckConstraint(
            "kind IN ('organisation', 'subject', 'blind_index')", name=op.f("ck_data_keys_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
        sa.UniqueConstraint(
            "kind",
            "organisation_id",
            "subject_id",
            "version",
            name=op.f("uq_data_keys_kind_organisation_id_subject_id_version"),
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_data_keys_organisation_id"),
        "data_keys",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "uq_data_keys_kind_organisation_id_version_no_subject",
        "data_keys",
        ["kind", "organisation_id", "version"],
        unique=True,
        schema=schema,
        postgresql_where=sa.text("subject_id IS NULL"),
        sqlite_where=sa.text("subject_id IS NULL"),
    )
    op.create_table(
        "districts",
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("neighbour_codes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "code", name=op.f("pk_districts")),
        schema=schema,
    )
    op.create_table(
        "index_tombstones",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("event_at", sa.String(length=40), nullable=False),
        sa.Column("forgotten", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_index_tombstones")),
        schema=schema,
    )
    op.create_table(
        "indexed_partners",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=True),
        sa.Column("category_codes", sa.JSON(), nullable=False),
        sa.Column("tie_strength", sa.String(length=8), nullable=False),
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("shared_with", sa.Text(), nullable=False),
        sa.Column("step_free", sa.Boolean(), nullable=True),
        sa.Column("easy_read", sa.Boolean(), nullable=False),
        sa.Column("document_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("event_at", sa.String(length=40), nullable=False),
        sa.Column("rebuild_generation", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_indexed_partners")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_indexed_partners_organisation_id"),
        "indexed_partners",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_outbox_created_at"), "outbox", ["created_at"], unique=False, schema=schema
    )
    op.create_index(op.f("ix_outbox_sent_at"), "outbox", ["sent_at"], unique=False, schema=schema)
    op.create_table(
        "support_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("worker_user_id", sa.String(length=36), nullable=False),
        sa.Column("account_user_id", sa.String(length=36), nullable=True),
        sa.Column("district_code", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("profile_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_users")),
        sa.UniqueConstraint("account_user_id", name=op.f("uq_support_users_account_user_id")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_support_users_organisation_id"),
        "support_users",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_support_users_worker_user_id"),
        "support_users",
        ["worker_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "resource_check_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_resource_check_items_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_check_items")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_resource_check_items_support_user_id"),
        "resource_check_items",
        ["support_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("length", sa.Float(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["matching.indexed_partners.partner_id"],
            name=op.f("fk_resources_partner_id_indexed_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_resources_partner_id"), "resources", ["partner_id"], unique=False, schema=schema
    )
    op.create_table(
        "support_user_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_support_user_consents_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_user_consents")),
        schema=schema,
    )
    op.create_index(
        "ix_support_user_consents_user_purpose",
        "support_user_consents",
        ["support_user_id", "purpose"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "wishes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("category_codes", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("text_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_wishes_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishes")),
        schema=schema,
    )
    op.create_index(
        "ix_wishes_org_status", "wishes", ["organisation_id", "status"], unique=False, schema=schema
    )
    op.create_index(
        op.f("ix_wishes_support_user_id"),
        "wishes",
        ["support_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("support_user_id", sa.String(length=36), nullable=False),
        sa.Column("wish_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("partner_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("share_details", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_user_id"],
            ["matching.support_users.id"],
            name=op.f("fk_referrals_support_user_id_support_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["matching.wishes.id"],
            name=op.f("fk_referrals_wish_id_wishes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_referrals_organisation_id"),
        "referrals",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "ix_referrals_partner_status",
        "referrals",
        ["partner_id", "status"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_referrals_support_user_id"),
        "referrals",
        ["support_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_referrals_wish_id"), "referrals", ["wish_id"], unique=False, schema=schema
    )
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
    op.create_table(
        "referral_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["matching.referrals.id"],
            name=op.f("fk_referral_steps_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_steps")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_referral_steps_referral_id"),
        "referral_steps",
        ["referral_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("matching")
    op.drop_index(op.f("ix_referral_steps_referral_id"), table_name="referral_steps", schema=schema)
    op.drop_table("referral_steps", schema=schema)
    op.drop_index("ix_resource_terms_term", table_name="resource_terms", schema=schema)
    op.drop_table("resource_terms", schema=schema)
    op.drop_index(op.f("ix_referrals_wish_id"), table_name="referrals", schema=schema)
    op.drop_index(op.f("ix_referrals_support_user_id"), table_name="referrals", schema=schema)
    op.drop_index("ix_referrals_partner_status", table_name="referrals", schema=schema)
    op.drop_index(op.f("ix_referrals_organisation_id"), table_name="referrals", schema=schema)
    op.drop_table("referrals", schema=schema)
    op.drop_index(op.f("ix_wishes_support_user_id"), table_name="wishes", schema=schema)
    op.drop_index("ix_wishes_org_status", table_name="wishes", schema=schema)
    op.drop_table("wishes", schema=schema)
    op.drop_index(
        "ix_support_user_consents_user_purpose", table_name="support_user_consents", schema=schema
    )
    op.drop_table("support_user_consents", schema=schema)
    op.drop_index(op.f("ix_resources_partner_id"), table_name="resources", schema=schema)
    op.drop_table("resources", schema=schema)
    op.drop_index(
        op.f("ix_resource_check_items_support_user_id"),
        table_name="resource_check_items",
        schema=schema,
    )
    op.drop_table("resource_check_items", schema=schema)
    op.drop_index(
        op.f("ix_support_users_worker_user_id"), table_name="support_users", schema=schema
    )
    op.drop_index(
        op.f("ix_support_users_organisation_id"), table_name="support_users", schema=schema
    )
    op.drop_table("support_users", schema=schema)
    op.drop_index(op.f("ix_outbox_sent_at"), table_name="outbox", schema=schema)
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox", schema=schema)
    op.drop_table("outbox", schema=schema)
    op.drop_index(
        op.f("ix_indexed_partners_organisation_id"), table_name="indexed_partners", schema=schema
    )
    op.drop_table("indexed_partners", schema=schema)
    op.drop_table("index_tombstones", schema=schema)
    op.drop_table("districts", schema=schema)
    op.drop_index(
        "uq_data_keys_kind_organisation_id_version_no_subject",
        table_name="data_keys",
        schema=schema,
        postgresql_where=sa.text("subject_id IS NULL"),
        sqlite_where=sa.text("subject_id IS NULL"),
    )
    op.drop_index(op.f("ix_data_keys_organisation_id"), table_name="data_keys", schema=schema)
    op.drop_table("data_keys", schema=schema)
    op.drop_table("category_labels", schema=schema)
