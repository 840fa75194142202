"""Newsletters: an issue an organisation writes (its own content, kept as written), the
deliveries it became (one per recipient partner), and reminders' copy of sharing-pool
memberships, kept from registry events, that a pool's audience is resolved from.

Partners named in an issue are kept as ids only; their names are read from reminders'
partner copies when the issue is rendered, and only while their consent allows it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class IssueStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # sent by the due scan at ``scheduled_at``
    sending = "sending"  # its deliveries are written; some are not finished yet
    sent = "sent"  # every delivery finished (sent, failed or cancelled)


class NewsletterIssue(Base):
    __tablename__ = "newsletter_issues"
    __table_args__ = (
        # the due scan's look-up: scheduled issues by time
        Index("ix_newsletter_issues_due", "scheduled_at", postgresql_where="status = 'scheduled'"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    audience: Mapped[str] = mapped_column(String(48))  # "organisation" | "pool:<pool id>"
    subject: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    # [{"type": "news" | "event" | "new_partners" | "thanks", ...}], see schemas.Block
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=IssueStatus.draft.value)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class NewsletterDelivery(Base):
    """Which delivery took an issue to which partner, and whether the partner used its
    unsubscribe link."""

    __tablename__ = "newsletter_deliveries"

    issue_id: Mapped[str] = mapped_column(
        ForeignKey("newsletter_issues.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), unique=True
    )
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PoolMembership(Base):
    """An organisation's membership of a sharing pool, as the registry last published it."""

    __tablename__ = "pool_memberships"

    pool_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
