"""Reminders' own copy of what it needs about organisations (kept from registry events):
the time zone that due times and quiet hours follow."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base


class OrganisationClock(Base):
    __tablename__ = "organisation_clocks"

    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
