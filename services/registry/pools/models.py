"""Sharing pools: organisations that agreed to pool their partners' contacts, each
partner still shared only as far as its consent allows."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime


class PoolMemberStatus(StrEnum):
    invited = "invited"
    active = "active"
    left = "left"


class Pool(Base):
    __tablename__ = "pools"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PoolMember(Base):
    __tablename__ = "pool_members"
    __table_args__ = (UniqueConstraint("pool_id", "organisation_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pool_id: Mapped[str] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    invited_by_organisation_id: Mapped[str | None] = mapped_column(String(36))
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
