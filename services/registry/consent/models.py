"""Consent: an append-only history of records per partner and purpose, and the current
grants derived from it (kept in the same transaction, for fast filtering)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime


class ConsentRecord(Base):
    """One grant or withdrawal. Never updated or deleted while the partner exists."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_partner", "partner_id", "recorded_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))  # granted | withdrawn
    method: Mapped[str] = mapped_column(String(16))  # written | verbal | electronic
    information_version: Mapped[str] = mapped_column(String(32))
    evidence_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    obtained_by: Mapped[str] = mapped_column(String(64))
    obtained_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ConsentGrant(Base):
    """The purposes a partner currently consents to (the latest record per purpose, when it
    is a grant). Expiry is checked at read time against ``valid_until``."""

    __tablename__ = "consent_grants"
    __table_args__ = (
        Index("ix_consent_grants_purpose", "purpose"),
        # Visibility checks ask "does this partner hold this purpose, still valid?"
        Index(
            "ix_consent_grants_valid", "partner_id", "purpose", postgresql_include=["valid_until"]
        ),
    )

    partner_id: Mapped[str] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str | None] = mapped_column(String(16))
    valid_until: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[str] = mapped_column(String(36))
