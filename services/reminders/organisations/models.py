"""Reminders' own copy of what it needs about organisations (kept from registry events)
and the upkeep policy each organisation sets: its time zone, quiet hours, and how often
partners should hear from it."""

from datetime import time

from sqlalchemy import Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base


class OrganisationClock(Base):
    __tablename__ = "organisation_clocks"

    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # Upkeep cadence by tie strength: a partner's next contact is due this long after the last.
    strong_months: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    weak_months: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    # Days before a consent expires that its renewal is asked for.
    renewal_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # A card not updated for this long asks for a check.
    stale_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    # No e-mail is sent between these local times; it waits until the quiet hours end.
    quiet_start: Mapped[time] = mapped_column(Time, default=time(21), server_default="21:00")
    quiet_end: Mapped[time] = mapped_column(Time, default=time(8), server_default="08:00")
