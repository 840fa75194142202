"""The resource index: what `matching` consent lets matching hold about partners, kept
from registry events and never a second source of truth.

``IndexedPartner`` keeps the coarse attributes in the clear (for filtering and ranking)
and the matchable card fields sealed with the partner's data key in matching's own
keyring. Each offer, skill, competence or strength card and available resource is a
``Resource``; ``ResourceTerm`` holds its analysed terms as keyed hashes with their BM25
weight, so relevance is computed without plaintext text in the database."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import utcnow


class IndexedPartner(Base):
    __tablename__ = "indexed_partners"

    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(String(16))
    category_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    tie_strength: Mapped[str] = mapped_column(String(8))
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    # "|pool:<id>|organisation:<id>|": who besides the owner may be offered this partner.
    shared_with: Mapped[str] = mapped_column(Text, default="")
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    document_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # The registry's outbox order of the event applied last, so a late older event loses.
    event_at: Mapped[str] = mapped_column(String(40))
    rebuild_generation: Mapped[int] = mapped_column(Integer, default=0)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Resource(Base):
    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<partner>:<kind>:<n>"
    partner_id: Mapped[str] = mapped_column(
        ForeignKey("indexed_partners.partner_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # offer | skill | competence | strength | …
    position: Mapped[int] = mapped_column(Integer)  # where in the partner's document
    length: Mapped[float] = mapped_column(Float)
    # Weekly slots when it happens or the person is free ([{weekday, start, end}]): coarse,
    # and needed for every candidate, so plain like the district.
    slots: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class ResourceTerm(Base):
    __tablename__ = "resource_terms"
    __table_args__ = (Index("ix_resource_terms_term", "term", "resource_id", "weight"),)

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class IndexTombstone(Base):
    """A partner taken out of the index (consent withdrawn, forgotten), with the time of the
    event that took it out: an older `partner.upserted` arriving late must not bring it back,
    and a forgotten partner never comes back. Holds no personal data."""

    __tablename__ = "index_tombstones"

    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_at: Mapped[str] = mapped_column(String(40))
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)
