"""Referrals: a suggestion followed to its outcome. Each step is kept as history; the
notes and outcome words are sealed with the support user's data key."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class ReferralStatus(StrEnum):
    proposed = "proposed"
    contacted = "contacted"  # the partner has been contacted
    accepted = "accepted"
    declined = "declined"
    active = "active"
    ended = "ended"


# Which step may follow which: the path a real referral takes, nothing skipped backwards.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    "proposed": frozenset({"contacted", "ended"}),
    "contacted": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"active", "ended"}),
    "declined": frozenset(),
    "active": frozenset({"ended"}),
    "ended": frozenset(),
}

# Referrals that still ask something of the partner: counted for fairness of load.
OPEN_STATUSES = ("proposed", "contacted", "accepted", "active")


class Outcome(StrEnum):
    wish_fulfilled = "wish_fulfilled"
    partly = "partly"
    not_fulfilled = "not_fulfilled"
    withdrawn = "withdrawn"  # the support user changed their mind


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_partner_status", "partner_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    support_user_id: Mapped[str] = mapped_column(
        ForeignKey("support_users.id", ondelete="CASCADE"), index=True
    )
    wish_id: Mapped[str] = mapped_column(ForeignKey("wishes.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    partner_organisation_id: Mapped[str] = mapped_column(String(36))
    resource_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.proposed.value)
    share_details: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(16))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ReferralStep(Base):
    __tablename__ = "referral_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    referral_id: Mapped[str] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    note_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
