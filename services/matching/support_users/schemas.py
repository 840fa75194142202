"""What the API takes and gives for support users and their consents."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.local_time import LocalTime

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class Language(StrEnum):
    fi = "fi"
    sv = "sv"
    en = "en"


class AccessibilityNeed(StrEnum):
    step_free = "step_free"  # needs step-free access
    company_to_travel = "company_to_travel"  # needs someone to travel with
    easy_read = "easy_read"  # needs easy-read information


class AvailabilitySlot(BaseModel):
    """A weekly time when the person is free: ISO weekday (1 = Monday) and a time range."""

    model_config = ConfigDict(extra="forbid")
    weekday: int = Field(ge=1, le=7)
    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _ordered(self) -> "AvailabilitySlot":
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Profile(BaseModel):
    """The personal part of a support user, kept sealed with their own data key."""

    model_config = ConfigDict(extra="forbid")
    name: Line = Field(min_length=1)
    languages: list[Language] = Field(default_factory=lambda: [Language.fi], min_length=1)
    availability: list[AvailabilitySlot] = Field(default_factory=list, max_length=50)
    accessibility: list[AccessibilityNeed] = Field(default_factory=list)
    notes: Text = ""


class SupportUserIn(Profile):
    district_code: str | None = Field(None, max_length=16)
    worker_user_id: str | None = Field(None, max_length=36, description="defaults to the caller")
    account_user_id: str | None = Field(
        None, max_length=36, description="the person's own login (role support_user), if any"
    )


class SupportUserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Line | None = Field(None, min_length=1)
    languages: list[Language] | None = Field(None, min_length=1)
    availability: list[AvailabilitySlot] | None = Field(None, max_length=50)
    accessibility: list[AccessibilityNeed] | None = None
    notes: Text | None = None
    district_code: str | None = Field(None, max_length=16)
    worker_user_id: str | None = Field(None, max_length=36)
    account_user_id: str | None = Field(None, max_length=36, description="link the person's login")
    status: str | None = Field(None, pattern="^(active|ended)$")


class ConsentState(BaseModel):
    matching: bool
    share_details: bool


class SupportUserOut(Profile):
    id: str
    organisation_id: str
    worker_user_id: str
    account_user_id: str | None
    district_code: str | None
    status: str
    consent: ConsentState
    created_at: datetime
    updated_at: datetime


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(pattern="^(matching|share_details)$")
    action: str = Field(pattern="^(granted|withdrawn)$")
    method: str = Field(pattern="^(written|verbal|electronic)$")


class ConsentRecordOut(BaseModel):
    purpose: str
    action: str
    method: str
    recorded_by: str
    recorded_at: datetime
