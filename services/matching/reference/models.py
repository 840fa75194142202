"""Matching's copy of the registry's reference data, kept from `reference.changed` events:
which districts neighbour each other (for district distance) and the category labels (so
a Finnish wish meets an English-described resource through its category)."""

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.matching.models import Base

DEFAULTS = ""  # the scope of the shared defaults; otherwise an organisation id


class District(Base):
    __tablename__ = "districts"

    scope: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    neighbour_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class CategoryLabel(Base):
    __tablename__ = "category_labels"

    scope: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label_fi: Mapped[str] = mapped_column(String(300), default="")
    label_sv: Mapped[str] = mapped_column(String(300), default="")
    label_en: Mapped[str] = mapped_column(String(300), default="")
