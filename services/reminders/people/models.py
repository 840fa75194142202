"""Who reminders writes to, kept from registry events: staff members (their e-mail, name
and language sealed with their own data key in reminders' keyring, and how they want their
due items), and partners (coarse facts in the clear for the schedules; name, and e-mail or
birthday only with the consent that needs them, sealed with the partner's key)."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime, utcnow


class StaffMember(Base):
    __tablename__ = "staff_members"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Due items one by one as they fall due, or gathered into one message a day.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class PartnerCopy(Base):
    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    responsible_user_id: Mapped[str | None] = mapped_column(String(36))
    tie_strength: Mapped[str] = mapped_column(String(8))
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    card_updated_on: Mapped[date | None] = mapped_column(Date)
    purge_after: Mapped[date | None] = mapped_column(Date)
    purposes: Mapped[str] = mapped_column(Text, default="")  # "|file|team|newsletter|"
    valid_until: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    document_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    event_at: Mapped[str] = mapped_column(String(40))
