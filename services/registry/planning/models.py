"""Planning tables: which organisations share statistics with which municipality, the
registry's copy of open wishes (counts only, from matching's `wish.changed`), and the
monthly coverage snapshots, which hold only figures that were safe to publish."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import EmptyList, UtcDateTime, string_list

# The margin of a table in snapshot entries: (district, TOTAL) is a district's total over
# the categories, (TOTAL, category) a category's over the districts, (TOTAL, TOTAL) all.
TOTAL = "*"


class StatisticsShare(Base):
    """An organisation counts its partners and wishes into a municipality's planning
    figures. Started and stopped by the sharing organisation's admin; a stopped share keeps
    its row (``ended_at``) so that the history of a snapshot's scope can be told."""

    __tablename__ = "statistics_shares"

    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_by: Mapped[str] = mapped_column(String(36))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DemandWish(Base):
    """One wish as the planners' demand figures need it: whose organisation, the support
    user's district, the wish's categories and whether it is still open. No support user,
    no words: the rest stays in matching."""

    __tablename__ = "demand_wishes"
    __table_args__ = (Index("ix_demand_wishes_org_open", "organisation_id", "open"),)

    wish_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    district_code: Mapped[str | None] = mapped_column(String(16))
    category_codes: Mapped[list[str]] = mapped_column(
        string_list(), default=list, server_default=EmptyList()
    )
    open: Mapped[bool] = mapped_column(Boolean)
    # When matching changed the wish, if the event says; otherwise when it was applied.
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CoverageSnapshot(Base):
    """The published coverage of one municipality's scope in one month (the first day of
    the month stands for it). Taken once per month; a second run finds it and stops."""

    __tablename__ = "coverage_snapshots"
    __table_args__ = (UniqueConstraint("municipality_id", "month"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    k: Mapped[int] = mapped_column(Integer)
    organisations: Mapped[int] = mapped_column(Integer)  # how many were in the scope
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CoverageSnapshotEntry(Base):
    """A published entry of a snapshot: a district × category cell or a margin (``TOTAL``
    in place of the district or the category). NULL is a suppressed figure; entries where
    both figures were zero are not stored."""

    __tablename__ = "coverage_snapshot_entries"

    snapshot_id: Mapped[str] = mapped_column(
        ForeignKey("coverage_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    supply: Mapped[int | None] = mapped_column(Integer)
    demand: Mapped[int | None] = mapped_column(Integer)
