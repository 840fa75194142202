"""Schedules: what is due when, for whom. The database is the source of truth; the due
scan turns each due occurrence into a delivery and moves ``next_due_at`` on."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class ScheduleKind(StrEnum):
    upkeep = "upkeep"  # contact the partner: cadence by tie strength since the last contact
    consent_renewal = "consent_renewal"  # a consent is about to expire
    consent_request = "consent_request"  # a pending partner: ask for `file` consent
    pending_purge = "pending_purge"  # a pending partner's time is up: the registry erases it
    greeting = "greeting"  # the partner's birthday, with `greetings` consent
    stale_card = "stale_card"  # the card has not been checked for a year
    referral_follow_up = "referral_follow_up"  # from matching
    digest = "digest"  # a staff member's daily digest
    action_item = "action_item"  # agreed at a review meeting, due on a date


class ScheduleStatus(StrEnum):
    active = "active"
    done = "done"  # a one-off that fell due
    cancelled = "cancelled"


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id"),
        # the due scan's look-up: active schedules by due time
        Index("ix_schedules_due", "next_due_at", postgresql_where="status = 'active'"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(80))  # partner, referral or staff member
    assignee_user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    next_due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # How it repeats: {"every": "year"}, {"every_days": 30} or {} for once.
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ScheduleStatus.active.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
