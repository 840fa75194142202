"""Deliveries: one message to one recipient, written in the same transaction as the due
scan that made it, with a unique idempotency key, and driven to `sent` or `failed` by
tasks that carry only its id. In-app notifications are the staff member's list of due
items."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class DeliveryStatus(StrEnum):
    pending = "pending"  # written; waits for its time (quiet hours) before it is queued
    queued = "queued"  # handed to the broker
    sending = "sending"  # a worker took it
    sent = "sent"
    held = "held"  # gathered into the staff member's next digest
    failed = "failed"  # every try failed: visible to staff, who can retry
    cancelled = "cancelled"  # its subject went (consent withdrawn, partner forgotten)


class Channel(StrEnum):
    email = "email"
    in_app = "in_app"


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_send_after", "status", "send_after"),
        Index("ix_deliveries_recipient", "recipient_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    schedule_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(80))
    recipient_kind: Mapped[str] = mapped_column(String(16))  # staff | partner
    recipient_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    send_after: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    digest_id: Mapped[str | None] = mapped_column(String(36))  # the digest that carried it
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class NotificationStatus(StrEnum):
    open = "open"
    done = "done"
    snoozed = "snoozed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_status", "user_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.open.value)
    snoozed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
