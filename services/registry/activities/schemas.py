"""Activity and contribution requests and responses."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.registry.activities.models import ActivityKind


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActivityKind
    occurred_on: date | None = Field(None, description="default today")
    content: str = Field("", max_length=4000)
    outcome: str = Field("", max_length=4000)
    staff_user_id: str | None = Field(None, description="default: the caller")


class ActivityOut(BaseModel):
    id: str
    kind: str
    occurred_on: date
    staff_user_id: str | None
    content: str
    outcome: str


class ContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: date | None = Field(None, description="default today")
    how: str = Field(min_length=1, max_length=2000)
    where: str = Field("", max_length=300)


class ContributionOut(BaseModel):
    id: str
    occurred_on: date
    how: str
    where: str
