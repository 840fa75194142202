"""What the API takes and gives for referrals."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.referrals.models import Outcome, ReferralStatus

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    wish_id: str = Field(max_length=36)
    resource_id: str = Field(max_length=80, description="a resource from the wish's suggestions")
    share_details: bool = Field(
        False, description="the support user's name and contact reach the partner"
    )
    note: Note = ""
    follow_up_on: date | None = None


class ReferralStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: ReferralStatus
    note: Note = ""
    outcome: Outcome | None = Field(None, description="required when the referral ends")
    follow_up_on: date | None = None


class ReferralStepOut(BaseModel):
    status: str
    note: str
    recorded_by: str
    recorded_at: datetime


class ReferralOut(BaseModel):
    id: str
    support_user_id: str
    wish_id: str
    partner_id: str
    partner_organisation_id: str
    resource_id: str
    title: str = Field(description="the resource's name; empty once it left the index")
    partner_name: str = Field(description="the partner's name; empty once it left the index")
    status: str
    share_details: bool
    outcome: str | None
    follow_up_on: date | None
    steps: list[ReferralStepOut]
    created_at: datetime
    updated_at: datetime


class SharedDetails(BaseModel):
    """What may be passed to the partner about the support user: only with their consent."""

    name: str
    languages: list[str]
    accessibility: list[str]
