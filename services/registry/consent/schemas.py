"""Consent requests and responses."""

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SIMPLE_PURPOSES = ("file", "team", "matching", "newsletter", "greetings", "statistics")
SHARING = re.compile(r"^(pool|organisation):[0-9a-f-]{36}$")


class Method(StrEnum):
    written = "written"
    verbal = "verbal"
    electronic = "electronic"


class ShareScope(StrEnum):
    """How much another organisation sees: ``basic`` (name, offers, resources, skills) or
    ``contact`` (also contact details, contact person and availability)."""

    basic = "basic"
    contact = "contact"


def check_purpose(value: str) -> str:
    if value in SIMPLE_PURPOSES or SHARING.match(value):
        return value
    raise ValueError(
        f"unknown purpose {value!r}; purposes are {', '.join(SIMPLE_PURPOSES)}, "
        "pool:<pool id> and organisation:<organisation id>"
    )


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str
    scope: ShareScope | None = Field(None, description="for pool:/organisation: purposes")
    method: Method
    information_version: str = Field(min_length=1, max_length=32)
    evidence_ref: str = Field("", max_length=300, description="where the evidence is kept")
    obtained_on: date | None = Field(None, description="default today")
    valid_until: date | None = None

    _purpose = field_validator("purpose")(check_purpose)

    @model_validator(mode="after")
    def _consistent(self) -> "ConsentIn":
        sharing = SHARING.match(self.purpose) is not None
        if sharing and self.scope is None:
            self.scope = ShareScope.basic
        if not sharing and self.scope is not None:
            raise ValueError("scope applies only to pool: and organisation: purposes")
        # The dates are checked where the caller's "today" is known (service.check_dates).
        return self


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purposes: list[str] = Field(min_length=1)
    method: Method
    information_version: str = Field("-", max_length=32)

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, values: list[str]) -> list[str]:
        return [check_purpose(v) for v in values]


class ConsentRecordOut(BaseModel):
    id: str
    purpose: str
    scope: str | None
    action: str
    method: str
    information_version: str
    evidence_ref: str
    obtained_by: str
    obtained_on: date
    valid_until: date | None
    recorded_at: datetime


class ConsentState(BaseModel):
    purpose: str
    scope: str | None
    valid_until: date | None
    active: bool
