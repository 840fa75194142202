"""What the reminders API takes and gives."""

from datetime import datetime, time

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.local_time import LocalTime


class NotificationOut(BaseModel):
    id: str
    kind: str
    subject_id: str
    subject_name: str
    # a referral's follow-up: the support user on whose page the referral is
    support_user_id: str | None = None
    due_at: datetime
    status: str
    snoozed_until: datetime | None


class SnoozeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=90)


class DeliverySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digest: bool = Field(False, description="gather due items into one e-mail a day")
    digest_hour: int = Field(8, ge=0, le=23, description="local hour of the daily digest")
    email_reminders: bool = Field(True, description="due items also by e-mail")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strong_months: int = Field(3, ge=1, le=36, description="upkeep cadence of strong ties")
    weak_months: int = Field(6, ge=1, le=36, description="upkeep cadence of weak ties")
    renewal_days: int = Field(30, ge=1, le=365, description="days before expiry to renew consent")
    stale_months: int = Field(
        12, ge=1, le=60, description="a card older than this asks for a check"
    )
    quiet_start: LocalTime = Field(time(21), description="no e-mail from this local time…")
    quiet_end: LocalTime = Field(time(8), description="…until this one")

    @model_validator(mode="after")
    def _quiet(self) -> "Policy":
        if self.quiet_start == self.quiet_end:
            raise ValueError("quiet hours must start and end at different times")
        return self


class DeliveryOut(BaseModel):
    id: str
    kind: str
    subject_id: str
    subject_name: str = Field("", description="the partner it is about, where it is one")
    recipient_kind: str
    recipient_id: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    due_at: datetime
    sent_at: datetime | None
