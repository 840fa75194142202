"""What the newsletters API takes and gives. An issue is a subject and a list of typed
blocks; a block of another type, an empty subject or a time in the past is refused with
422 naming the field."""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

AUDIENCE = re.compile(r"^(organisation|pool:[0-9a-f-]{36})$")
Text = Annotated[str, Field(min_length=1, max_length=5000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewsBlock(_Block):
    type: Literal["news"]
    title: Title
    text: Text


class EventBlock(_Block):
    type: Literal["event"]
    title: Title
    when: str = Field(min_length=1, max_length=120, description="as it should read")
    where: str = Field("", max_length=200)
    text: str = Field("", max_length=5000)


class NewPartnersBlock(_Block):
    """Partners named by id. Only partners whose consent allows it can be named (see
    docs/reminders.md): an id that cannot is refused when the issue is saved, and a partner
    whose consent ends later is left out when the issue is rendered."""

    type: Literal["new_partners"]
    text: str = Field("", max_length=2000, description="an introduction")
    partner_ids: list[str] = Field(min_length=1, max_length=50)

    @field_validator("partner_ids")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("a partner is named twice")
        return values


class ThanksBlock(_Block):
    type: Literal["thanks"]
    text: Text


Block = Annotated[
    NewsBlock | EventBlock | NewPartnersBlock | ThanksBlock, Field(discriminator="type")
]


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=200)
    language: Literal["fi", "en"] = "fi"
    audience: str = Field(
        "organisation",
        description="`organisation` (the organisation's own partners) or `pool:<pool id>` "
        "(partners of the pool's member organisations who consented to that pool)",
    )
    blocks: list[Block] = Field(min_length=1, max_length=30)
    scheduled_at: AwareDatetime | None = Field(
        None, description="send at this time (with a time zone); none keeps it a draft"
    )

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: str) -> str:
        if not AUDIENCE.match(value):
            raise ValueError("the audience is `organisation` or `pool:<pool id>`")
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= datetime.now(UTC):
            raise ValueError("the time to send must be in the future")
        return value


class IssueOut(BaseModel):
    id: str
    organisation_id: str
    audience: str
    subject: str
    language: str
    blocks: list[Block]
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deliveries: dict[str, int] = Field(description="the issue's deliveries by status")


class PreviewOut(BaseModel):
    subject: str
    text: str
    html: str
    unsubscribe_url: str = Field(description="a sample: each e-mail carries its own link")


class SendOut(BaseModel):
    issue: IssueOut
    recipients: int = Field(description="deliveries written by this send")


class RecipientOut(BaseModel):
    partner_id: str
    delivery_id: str
    name: str | None = Field(description="only for the staff of the partner's organisation")
    status: str
    sent_at: datetime | None
    bounced: bool
    error: str | None = Field(description="only for the staff of the partner's organisation")
    unsubscribed: bool


class BounceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message_id: str = Field(
        min_length=3, max_length=300, description="the Message-ID of the e-mail that bounced"
    )
    reason: str = Field("", max_length=500, description="what the mail system said")


class BounceOut(BaseModel):
    delivery_id: str
    status: str
    bounced: bool


class UnsubscribeOut(BaseModel):
    unsubscribed: bool = True
