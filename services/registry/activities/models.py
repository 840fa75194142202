"""The bottom of every card: what we did together (activities), and for citizens how and
where they have given resources (contributions). Content is encrypted with the partner's
data key; kind and date stay plain for upkeep and statistics."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime


class ActivityKind(StrEnum):
    contact = "contact"
    meeting = "meeting"
    event = "event"
    newsletter = "newsletter"
    greeting = "greeting"
    project = "project"
    training = "training"


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_partner", "partner_id", "occurred_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(String(36))
    occurred_on: Mapped[date] = mapped_column(Date)
    staff_user_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    body_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # {"content", "outcome"}
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (Index("ix_contributions_partner", "partner_id", "occurred_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(Date)
    body_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # {"how", "where"}
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
