"""District work of an organisation's resource finders: knowledge notes from short daily
conversations in a district, and who explores which district ("village storming")."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime


class KnowledgeNote(Base):
    """A question asked in the district and the answer heard. Both are free text written by
    staff that may mention people, so they are sealed with the organisation's key."""

    __tablename__ = "knowledge_notes"
    __table_args__ = (
        Index(
            "ix_knowledge_notes_org_district_noted", "organisation_id", "district_code", "noted_on"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    district_code: Mapped[str] = mapped_column(String(16))
    noted_on: Mapped[date] = mapped_column(Date)
    question_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    answer_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    staff_user_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DistrictAssignment(Base):
    """A resource finder assigned to explore a district."""

    __tablename__ = "district_assignments"
    __table_args__ = (UniqueConstraint("organisation_id", "district_code", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    district_code: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(36))  # the user who assigned
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
