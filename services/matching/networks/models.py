"""The tables of network maps. Names and notes of eco-map members (and whole snapshots) are
sealed with the support user's data key; relation, ring, support kinds, reciprocity,
frequency and a partner link are coarse and plain. Contacts and acquaintances hold ids,
kinds and dates only."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class Relation(StrEnum):
    family = "family"
    friend = "friend"
    neighbour = "neighbour"
    staff = "staff"  # staff or professional: the paid ties
    community = "community"
    work_school = "work_school"


class Ring(StrEnum):
    inner = "inner"
    middle = "middle"
    outer = "outer"


class SupportKind(StrEnum):
    company = "company"
    practical = "practical"
    advice = "advice"
    emotional = "emotional"


class Reciprocity(StrEnum):
    mutual = "mutual"
    gives = "gives"  # the member gives to the person
    receives = "receives"  # the person gives to the member


class Frequency(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    yearly = "yearly"
    rarely = "rarely"


class EndKind(StrEnum):
    partner = "partner"
    support_user = "support_user"
    staff = "staff"


class TieStrength(StrEnum):
    strong = "strong"
    weak = "weak"


class EcoMapMember(Base):
    """One person or organisation in a support user's life."""

    __tablename__ = "eco_map_members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    support_user_id: Mapped[str] = mapped_column(
        ForeignKey("support_users.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    ring: Mapped[str] = mapped_column(String(8))
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    reciprocity: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[str] = mapped_column(String(8))
    # {"name", "note"}, sealed with the support user's data key
    document_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class EcoMapSnapshot(Base):
    """The eco-map as it was at one moment: its label and members in one sealed document."""

    __tablename__ = "eco_map_snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    support_user_id: Mapped[str] = mapped_column(
        ForeignKey("support_users.id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int] = mapped_column(Integer)
    taken_by: Mapped[str] = mapped_column(String(36))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    document_encrypted: Mapped[bytes] = mapped_column(LargeBinary)


class PartnerContact(Base):
    """One logged activity with a partner, from `activity.logged`: who of the staff, what
    kind, which day. The activity id makes applying the event twice harmless."""

    __tablename__ = "partner_contacts"
    __table_args__ = (
        Index("ix_partner_contacts_organisation_day", "organisation_id", "occurred_on"),
    )

    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    staff_user_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)


class Acquaintance(Base):
    """Who knows whom, as staff recorded it. The two ends are stored in a fixed order
    (smaller ``kind:id`` first) so that a pair is recorded once per organisation."""

    __tablename__ = "acquaintances"
    __table_args__ = (
        UniqueConstraint("organisation_id", "a_kind", "a_id", "b_kind", "b_id"),
        Index("ix_acquaintances_a_id", "a_id"),
        Index("ix_acquaintances_b_id", "b_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    a_kind: Mapped[str] = mapped_column(String(16))
    a_id: Mapped[str] = mapped_column(String(36))
    b_kind: Mapped[str] = mapped_column(String(16))
    b_id: Mapped[str] = mapped_column(String(36))
    strength: Mapped[str] = mapped_column(String(8))
    recorded_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
