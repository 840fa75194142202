"""initial schema

Revision ID: 0001
Revises: -
Create Date: 2026-11-23 05:29:35.442380
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        schema=schema,
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False, schema=schema)
    op.create_index(
        op.f("ix_audit_log_organisation_id"),
        "audit_log",
        ["organisation_id"],
        unique=False,
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
        "organisations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
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
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email_index", sa.String(length=64), nullable=False),
        sa.Column("email_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("name_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email_index", name=op.f("uq_users_email_index")),
        schema=schema,
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_api_tokens_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_api_tokens_organisation_id"),
        "api_tokens",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["registry.users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "user_id", "organisation_id", name=op.f("uq_memberships_user_id_organisation_id")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_memberships_organisation_id"),
        "memberships",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False, schema=schema
    )
    op.create_table(
        "pools",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_pools_created_by_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
        schema=schema,
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_refresh_tokens_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["registry.users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_refresh_tokens_user_id"),
        "refresh_tokens",
        ["user_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "pool_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pool_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("invited_by_organisation_id", sa.String(length=36), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["registry.organisations.id"],
            name=op.f("fk_pool_members_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["registry.pools.id"],
            name=op.f("fk_pool_members_pool_id_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_members")),
        sa.UniqueConstraint(
            "pool_id", "organisation_id", name=op.f("uq_pool_members_pool_id_organisation_id")
        ),
        schema=schema,
    )
    op.create_index(
        op.f("ix_pool_members_organisation_id"),
        "pool_members",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_pool_members_pool_id"),
        "pool_members",
        ["pool_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("registry")
    op.drop_index(op.f("ix_pool_members_pool_id"), table_name="pool_members", schema=schema)
    op.drop_index(op.f("ix_pool_members_organisation_id"), table_name="pool_members", schema=schema)
    op.drop_table("pool_members", schema=schema)
    op.drop_index(op.f("ix_refresh_tokens_user_id"), table_name="refresh_tokens", schema=schema)
    op.drop_table("refresh_tokens", schema=schema)
    op.drop_table("pools", schema=schema)
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships", schema=schema)
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships", schema=schema)
    op.drop_table("memberships", schema=schema)
    op.drop_index(op.f("ix_api_tokens_organisation_id"), table_name="api_tokens", schema=schema)
    op.drop_table("api_tokens", schema=schema)
    op.drop_table("users", schema=schema)
    op.drop_index(op.f("ix_outbox_sent_at"), table_name="outbox", schema=schema)
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox", schema=schema)
    op.drop_table("outbox", schema=schema)
    op.drop_table("organisations", schema=schema)
    op.drop_index(
        "uq_data_keys_kind_organisation_id_version_no_subject",
        table_name="data_keys",
        schema=schema,
        postgresql_where=sa.text("subject_id IS NULL"),
        sqlite_where=sa.text("subject_id IS NULL"),
    )
    op.drop_index(op.f("ix_data_keys_organisation_id"), table_name="data_keys", schema=schema)
    op.drop_table("data_keys", schema=schema)
    op.drop_index(op.f("ix_audit_log_organisation_id"), table_name="audit_log", schema=schema)
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log", schema=schema)
    op.drop_table("audit_log", schema=schema)
