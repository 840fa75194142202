"""Matching's own copy of pool memberships, kept from registry events: which
organisations' pooled partners a support user's organisation may be matched with."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base
from shared.database import UtcDateTime


class PoolMembership(Base):
    __tablename__ = "pool_memberships"

    pool_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
