"""Heartbeats written by the periodic task beat ticks: proof that beat, the broker and a
worker all run, shown on the health endpoint and the operations page."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.reminders.models import Base
from shared.database import UtcDateTime


class Heartbeat(Base):
    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    worker: Mapped[str] = mapped_column(String(200))
