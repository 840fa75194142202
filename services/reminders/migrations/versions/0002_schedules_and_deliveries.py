"""schedules, deliveries, staff and partner copies, upkeep policy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:56:33.093959
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
    schema = migration_schema("reminders")
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
        "deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("schedule_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_deliveries_organisation_id"),
        "deliveries",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "ix_deliveries_recipient",
        "deliveries",
        ["recipient_id", "status"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_deliveries_schedule_id"),
        "deliveries",
        ["schedule_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "ix_deliveries_status_send_after",
        "deliveries",
        ["status", "send_after"],
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
        "partners",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responsible_user_id", sa.String(length=36), nullable=True),
        sa.Column("tie_strength", sa.String(length=8), nullable=False),
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("card_updated_on", sa.Date(), nullable=True),
        sa.Column("purge_after", sa.Date(), nullable=True),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.JSON(), nullable=False),
        sa.Column("document_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("event_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partners")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_partners_organisation_id"),
        "partners",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("assignee_user_id", sa.String(length=36), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("kind", "subject_id", name=op.f("uq_schedules_kind_subject_id")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_schedules_assignee_user_id"),
        "schedules",
        ["assignee_user_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        "ix_schedules_due",
        "schedules",
        ["next_due_at"],
        unique=False,
        schema=schema,
        postgresql_where="status = 'active'",
    )
    op.create_index(
        op.f("ix_schedules_organisation_id"),
        "schedules",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("contact_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("email_reminders", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "organisation_id", name=op.f("pk_staff_members")),
        schema=schema,
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["reminders.deliveries.id"],
            name=op.f("fk_notifications_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_notifications_delivery_id")),
        schema=schema,
    )
    op.create_index(
        "ix_notifications_user_status",
        "notifications",
        ["user_id", "status"],
        unique=False,
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("strong_months", sa.Integer(), server_default="3", nullable=False),
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("weak_months", sa.Integer(), server_default="6", nullable=False),
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("renewal_days", sa.Integer(), server_default="30", nullable=False),
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("stale_months", sa.Integer(), server_default="12", nullable=False),
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("quiet_start", sa.Time(), server_default="21:00", nullable=False),
        schema=schema,
    )
    op.add_column(
        "organisation_clocks",
        sa.Column("quiet_end", sa.Time(), server_default="08:00", nullable=False),
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("reminders")
    op.drop_column("organisation_clocks", "quiet_end", schema=schema)
    op.drop_column("organisation_clocks", "quiet_start", schema=schema)
    op.drop_column("organisation_clocks", "stale_months", schema=schema)
    op.drop_column("organisation_clocks", "renewal_days", schema=schema)
    op.drop_column("organisation_clocks", "weak_months", schema=schema)
    op.drop_column("organisation_clocks", "strong_months", schema=schema)
    op.drop_index("ix_notifications_user_status", table_name="notifications", schema=schema)
    op.drop_table("notifications", schema=schema)
    op.drop_table("staff_members", schema=schema)
    op.drop_index(op.f("ix_schedules_organisation_id"), table_name="schedules", schema=schema)
    op.drop_index(
        "ix_schedules_due",
        table_name="schedules",
        schema=schema,
        postgresql_where="status = 'active'",
    )
    op.drop_index(op.f("ix_schedules_assignee_user_id"), table_name="schedules", schema=schema)
    op.drop_table("schedules", schema=schema)
    op.drop_index(op.f("ix_partners_organisation_id"), table_name="partners", schema=schema)
    op.drop_table("partners", schema=schema)
    op.drop_index(op.f("ix_outbox_sent_at"), table_name="outbox", schema=schema)
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox", schema=schema)
    op.drop_table("outbox", schema=schema)
    op.drop_index("ix_deliveries_status_send_after", table_name="deliveries", schema=schema)
    op.drop_index(op.f("ix_deliveries_schedule_id"), table_name="deliveries", schema=schema)
    op.drop_index("ix_deliveries_recipient", table_name="deliveries", schema=schema)
    op.drop_index(op.f("ix_deliveries_organisation_id"), table_name="deliveries", schema=schema)
    op.drop_table("deliveries", schema=schema)
    op.drop_index(
        "uq_data_keys_kind_organisation_id_version_no_subject",
        table_name="data_keys",
        schema=schema,
        postgresql_where=sa.text("subject_id IS NULL"),
        sqlite_where=sa.text("subject_id IS NULL"),
    )
    op.drop_index(op.f("ix_data_keys_organisation_id"), table_name="data_keys", schema=schema)
    op.drop_table("data_keys", schema=schema)
