"""review meetings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:04:49.769398
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("reminders")
    op.create_table(
        "matters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("decision_level", sa.String(length=16), nullable=False),
        sa.Column("board", sa.String(length=300), nullable=False),
        sa.Column("board_chair", sa.String(length=300), nullable=False),
        sa.Column("decision_timeline", sa.Text(), nullable=False),
        sa.Column("procurement_timeline", sa.Text(), nullable=False),
        sa.Column("contact_user_id", sa.String(length=36), nullable=False),
        sa.Column("shared_will_confirmed_on", sa.Date(), nullable=False),
        sa.Column("cadence_months", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matters")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_matters_organisation_id"),
        "matters",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("online_link", sa.String(length=500), nullable=False),
        sa.Column("invitations_by", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("invited_sequence", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["reminders.matters.id"],
            name=op.f("fk_meetings_matter_id_matters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_meetings_matter_id"), "meetings", ["matter_id"], unique=False, schema=schema
    )
    op.create_index(
        op.f("ix_meetings_organisation_id"),
        "meetings",
        ["organisation_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "planning_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["reminders.matters.id"],
            name=op.f("fk_planning_steps_matter_id_matters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_steps")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_planning_steps_matter_id"),
        "planning_steps",
        ["matter_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "progress_updates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["reminders.matters.id"],
            name=op.f("fk_progress_updates_matter_id_matters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_progress_updates_matter_id"),
        "progress_updates",
        ["matter_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner_user_id", sa.String(length=36), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["reminders.meetings.id"],
            name=op.f("fk_action_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_action_items_matter_id"),
        "action_items",
        ["matter_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_action_items_meeting_id"),
        "action_items",
        ["meeting_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "meeting_evaluations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["reminders.meetings.id"],
            name=op.f("fk_meeting_evaluations_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_evaluations")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_meeting_evaluations_matter_id"),
        "meeting_evaluations",
        ["matter_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_meeting_evaluations_meeting_id"),
        "meeting_evaluations",
        ["meeting_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "meeting_participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("contact_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("reply", sa.String(length=16), nullable=False),
        sa.Column("outcome_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["reminders.meetings.id"],
            name=op.f("fk_meeting_participants_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_participants")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_meeting_participants_meeting_id"),
        "meeting_participants",
        ["meeting_id"],
        unique=False,
        schema=schema,
    )
    op.create_index(
        op.f("ix_meeting_participants_user_id"),
        "meeting_participants",
        ["user_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = migration_schema("reminders")
    op.drop_index(
        op.f("ix_meeting_participants_user_id"), table_name="meeting_participants", schema=schema
    )
    op.drop_index(
        op.f("ix_meeting_participants_meeting_id"), table_name="meeting_participants", schema=schema
    )
    op.drop_table("meeting_participants", schema=schema)
    op.drop_index(
        op.f("ix_meeting_evaluations_meeting_id"), table_name="meeting_evaluations", schema=schema
    )
    op.drop_index(
        op.f("ix_meeting_evaluations_matter_id"), table_name="meeting_evaluations", schema=schema
    )
    op.drop_table("meeting_evaluations", schema=schema)
    op.drop_index(op.f("ix_action_items_meeting_id"), table_name="action_items", schema=schema)
    op.drop_index(op.f("ix_action_items_matter_id"), table_name="action_items", schema=schema)
    op.drop_table("action_items", schema=schema)
    op.drop_index(
        op.f("ix_progress_updates_matter_id"), table_name="progress_updates", schema=schema
    )
    op.drop_table("progress_updates", schema=schema)
    op.drop_index(op.f("ix_planning_steps_matter_id"), table_name="planning_steps", schema=schema)
    op.drop_table("planning_steps", schema=schema)
    op.drop_index(op.f("ix_meetings_organisation_id"), table_name="meetings", schema=schema)
    op.drop_index(op.f("ix_meetings_matter_id"), table_name="meetings", schema=schema)
    op.drop_table("meetings", schema=schema)
    op.drop_index(op.f("ix_matters_organisation_id"), table_name="matters", schema=schema)
    op.drop_table("matters", schema=schema)
