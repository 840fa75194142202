"""Partners of the resource file and their cards.

Only coarse, non-identifying attributes are plain columns (kind, status, district, tie
strength, dates, category codes) because search and aggregates filter on them. Everything
personal lives in ``card_encrypted``: the card's JSON, sealed with the partner's own data
key. ``terms`` holds the partner's blind-index terms (HMAC) for look-up without
decrypting."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import EmptyList, UtcDateTime, string_list


class PartnerKind(StrEnum):
    organisation = "organisation"
    citizen = "citizen"


class PartnerStatus(StrEnum):
    pending = "pending"  # no `file` consent yet: a name and a way to ask, then purged
    active = "active"
    inactive = "inactive"


class TieStrength(StrEnum):
    strong = "strong"
    weak = "weak"


GIN: dict[str, Any] = {"postgresql_using": "gin", "postgresql_with": {"fastupdate": "off"}}


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (
        Index("ix_partners_org_status", "organisation_id", "status"),
        Index("ix_partners_district", "district_code"),
        # "holds any / all of these" on the lists below is one bitmap of a GIN index, whose
        # entries go in at once rather than through a pending list every search reads
        Index("ix_partners_terms", "terms", **GIN).ddl_if(dialect="postgresql"),
        Index("ix_partners_category_codes", "category_codes", **GIN).ddl_if(dialect="postgresql"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    responsible_user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    district_code: Mapped[str | None] = mapped_column(String(16))
    category_codes: Mapped[list[str]] = mapped_column(
        string_list(), default=list, server_default=EmptyList()
    )
    tie_strength: Mapped[str] = mapped_column(String(8), default=TieStrength.weak.value)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    card_updated_on: Mapped[date] = mapped_column(Date)
    card_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # A copy of the consent purposes held ("|file|team|pool:…|") and the earliest expiry
    # among them, so that search checks visibility in the row instead of per consent; the
    # consent grants stay the truth (see consent.service.cache_purposes).
    purposes: Mapped[str] = mapped_column(Text, default="", server_default="")
    purposes_expire_on: Mapped[date | None] = mapped_column(Date)
    purge_after: Mapped[date | None] = mapped_column(Date)
    # Blind-index terms, each "<kind>:<HMAC under the owner's organisation key>" (see
    # TermKind and terms.tagged); about 70 per partner, so loaded only when asked for.
    terms: Mapped[list[str]] = mapped_column(
        string_list(), default=list, server_default=EmptyList(), deferred=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class TermKind(StrEnum):
    """What a blind-index term stands for; the kind is also part of the HMAC's input."""

    name = "name"  # prefixes of name tokens
    text = "text"  # words (and word stems) of offers, skills and resources
    email = "email"
    phone = "phone"


class CardKind(StrEnum):
    competence = "competence"
    strength = "strength"


class CompetenceCard(Base):
    """A competence or strength card linked to a citizen partner."""

    __tablename__ = "competence_cards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    domain: Mapped[str] = mapped_column(String(32))
    card_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
