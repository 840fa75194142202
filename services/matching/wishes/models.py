"""Wishes (what the support user wants, in their own words) and the resource check (what
they bring: strengths, skills, possessions, relationships, resources around them). The
words are sealed with the support user's data key; status, priority, language and the
categories are plain, for lists and demand figures."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime, new_id, utcnow


class WishStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    fulfilled = "fulfilled"
    dropped = "dropped"


OPEN_STATUSES = (WishStatus.open.value, WishStatus.in_progress.value)


class WishMethod(StrEnum):
    """How the wish was found, from person-centred planning."""

    my_strengths = "my_strengths"
    what_is_important_to_me = "what_is_important_to_me"
    good_day_bad_day = "good_day_bad_day"
    dreams = "dreams"
    conversation = "conversation"
    own_words = "own_words"  # written by the person themselves in the portal
    other = "other"


class ResourceCheckKind(StrEnum):
    strength = "strength"
    skill = "skill"
    possession = "possession"
    relationship = "relationship"
    social_space = "social_space"  # resources in the person's surroundings


class Wish(Base):
    __tablename__ = "wishes"
    __table_args__ = (Index("ix_wishes_org_status", "organisation_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    support_user_id: Mapped[str] = mapped_column(
        ForeignKey("support_users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str] = mapped_column(String(36))
    language: Mapped[str] = mapped_column(String(2))
    category_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 high, 2 normal, 3 low
    status: Mapped[str] = mapped_column(String(16), default=WishStatus.open.value)
    method: Mapped[str] = mapped_column(String(32))
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ResourceCheckItem(Base):
    __tablename__ = "resource_check_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    support_user_id: Mapped[str] = mapped_column(
        ForeignKey("support_users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
