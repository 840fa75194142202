"""The access log: every read of a partner's data from outside the owning organisation and
every export, one hash chain per owning organisation so that a removed or edited entry is
detectable."""

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime


class AccessEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (UniqueConstraint("owner_organisation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_organisation_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    reader_organisation_id: Mapped[str] = mapped_column(String(36))
    reader: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # read | search | export
    basis: Mapped[str] = mapped_column(String(64))  # the consent purpose, or "owner"
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessChainHead(Base):
    """The newest entry of each owner's chain; locked while appending so entries are
    numbered without gaps even with concurrent readers."""

    __tablename__ = "access_chain_heads"

    owner_organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
