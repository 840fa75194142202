"""Reference data: districts with their borders and neighbours, and service categories.

Rows with ``organisation_id`` NULL are the shipped defaults (Helsinki postal-code areas,
the national service classification) that every organisation sees; rows with an
organisation id are that organisation's own additions, seen only by it."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.identity.models import new_id, utcnow
from services.registry.models import Base
from shared.database import UtcDateTime

# NULL organisation ids are distinct to a unique constraint: the defaults need their own.
DEFAULTS_ONLY = text("organisation_id IS NULL")


class District(Base):
    """An area a partner is in and resource finders cover. ``geometry`` is a GeoJSON
    Polygon or MultiPolygon in WGS84 (longitude, latitude), ready for web maps; the centre
    is kept both in EPSG:3067 metres and in WGS84."""

    __tablename__ = "districts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        Index(
            "uq_districts_code_defaults",
            "code",
            unique=True,
            postgresql_where=DEFAULTS_ONLY,
            sqlite_where=DEFAULTS_ONLY,
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str | None] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    centre_x: Mapped[float] = mapped_column(Float)
    centre_y: Mapped[float] = mapped_column(Float)
    centre_lat: Mapped[float] = mapped_column(Float)
    centre_lon: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class DistrictNeighbour(Base):
    """Two districts that share a stretch of border, stored in both directions so that a
    district's neighbours are one indexed look-up."""

    __tablename__ = "district_neighbours"

    district_id: Mapped[str] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True
    )
    neighbour_id: Mapped[str] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Category(Base):
    """A service category; ``parent_code`` makes the tree (NULL at the top)."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        Index(
            "uq_categories_code_defaults",
            "code",
            unique=True,
            postgresql_where=DEFAULTS_ONLY,
            sqlite_where=DEFAULTS_ONLY,
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    label_fi: Mapped[str | None] = mapped_column(String(300))
    label_sv: Mapped[str | None] = mapped_column(String(300))
    label_en: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


def in_scope(column: Any, organisation_id: str | None) -> ColumnElement[bool]:
    """Exactly the defaults (None) or exactly one organisation's own rows."""
    return column.is_(None) if organisation_id is None else column == organisation_id
