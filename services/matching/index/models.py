"""The resource index: what `matching` consent lets matching hold about partners, kept
from registry events and never a second source of truth.

``IndexedPartner`` keeps the coarse attributes in the clear (for filtering and ranking)
and the matchable card fields sealed with the partner's data key in matching's own
keyring. Each offer, skill, competence or strength card and available resource is a
``Resource``; a ``Posting`` holds one of its analysed terms as a keyed hash with its BM25
weight, so relevance is computed without plaintext text in the database."""

import hashlib
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime, utcnow


class IndexedPartner(Base):
    __tablename__ = "indexed_partners"
    __table_args__ = (
        # "in any of these categories" (suggestions found through a category) is one bitmap
        # of a GIN index; SQLite keeps the list as JSON and reads it whole.
        Index(
            "ix_indexed_partners_category_codes", "category_codes", postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
        # with it, the partners of a category near the person are two bitmaps ANDed
        Index("ix_indexed_partners_district_code", "district_code"),
    )

    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(String(16))
    category_codes: Mapped[list[str]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=list
    )
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
    indexed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def resource_key(resource_id: str) -> int:
    """The number a resource's postings refer to: the first 63 bits of a BLAKE2b hash of
    its id. Summing the postings of a broad word groups thousands of them by resource, and
    a number groups (and indexes) in about half the time of the 45-character id. Derived,
    not drawn from a sequence, so a partner indexed again keeps its keys and the bulk loader
    computes them as this does. Two ids meeting in 63 bits (a chance of about 1 in 20 million
    among a million resources) would have the second refused by the unique key, not mixed
    with the first."""
    digest = hashlib.blake2b(resource_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class Resource(Base):
    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<partner>:<kind>:<n>"
    key: Mapped[int] = mapped_column(BigInteger, unique=True)  # resource_key(id)
    partner_id: Mapped[str] = mapped_column(
        ForeignKey("indexed_partners.partner_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # offer | skill | competence | strength | …
    position: Mapped[int] = mapped_column(Integer)  # where in the partner's document
    length: Mapped[float] = mapped_column(Float)
    # Weekly slots when it happens or the person is free ([{weekday, start, end}]): coarse,
    # and needed for every candidate, so plain like the district.
    slots: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class Posting(Base):
    """One analysed term of one resource: its HMAC and its stored BM25 weight."""

    __tablename__ = "resource_postings"
    # A wish's terms are looked up here, and the index alone answers (index-only scan).
    __table_args__ = (Index("ix_resource_postings_term", "term", "resource_key", "weight"),)

    resource_key: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("resources.key", ondelete="CASCADE"), primary_key=True
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
