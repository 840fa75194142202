"""What the API takes and gives for wishes and the resource check."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.support_users.schemas import Language
from services.matching.wishes.models import ResourceCheckKind, WishMethod, WishStatus

WishText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
CategoryCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class WishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: WishText = Field(description="the wish in the person's own words")
    language: Language = Language.fi
    category_codes: list[CategoryCode] = Field(default_factory=list, max_length=10)
    priority: int = Field(2, ge=1, le=3, description="1 high, 2 normal, 3 low")
    method: WishMethod = Field(WishMethod.conversation, description="how the wish was found")


class WishPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: WishText | None = None
    language: Language | None = None
    category_codes: list[CategoryCode] | None = Field(None, max_length=10)
    priority: int | None = Field(None, ge=1, le=3)
    status: WishStatus | None = None


class WishOut(BaseModel):
    id: str
    support_user_id: str
    text: str
    language: str
    category_codes: list[str]
    priority: int
    status: str
    method: str
    created_at: datetime
    updated_at: datetime


class ResourceCheckItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ResourceCheckKind
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ResourceCheckItemOut(BaseModel):
    id: str
    kind: str
    text: str
    created_at: datetime
