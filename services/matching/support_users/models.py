"""Support users: the people the network exists for. Their name, availability and
accessibility needs are personal (accessibility can reveal health), so they live in one
document sealed with the support user's own data key; only the district and status are
plain, for ranking and demand figures."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class SupportUserStatus(StrEnum):
    active = "active"
    ended = "ended"  # support ended; kept until erased


class ConsentPurpose(StrEnum):
    matching = "matching"  # may be matched with community resources at all
    share_details = "share_details"  # named details may reach a partner in a referral


class ConsentAction(StrEnum):
    granted = "granted"
    withdrawn = "withdrawn"


class SupportUser(Base):
    __tablename__ = "support_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    worker_user_id: Mapped[str] = mapped_column(String(36), index=True)
    # The registry account with the `support_user` role that is this person, if any.
    account_user_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    district_code: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SupportUserStatus.active.value)
    profile_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class SupportUserConsent(Base):
    """Append-only history of the support user's own consents; the newest row per purpose
    is the current state."""

    __tablename__ = "support_user_consents"
    __table_args__ = (Index("ix_support_user_consents_user_purpose", "support_user_id", "purpose"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    support_user_id: Mapped[str] = mapped_column(ForeignKey("support_users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))  # written | verbal | electronic
    recorded_by: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
