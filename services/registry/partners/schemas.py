"""Partner requests and responses."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.registry.consent.schemas import ConsentIn, ConsentState
from services.registry.partners.models import PartnerKind, PartnerStatus, TieStrength

CODE = r"^[A-Za-z0-9_.:-]{1,32}$"


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: PartnerKind
    card: dict[str, Any] = Field(description="an organisation card or a citizen card, by kind")
    district_code: str | None = Field(None, pattern=CODE)
    category_codes: list[str] = Field(default_factory=list, max_length=20)
    tie_strength: TieStrength = TieStrength.weak
    responsible_user_id: str | None = Field(None, description="default: the caller")
    consents: list[ConsentIn] = Field(
        default_factory=list,
        description="without `file` consent only a name and a way to ask are kept (pending)",
    )


class PartnerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card: dict[str, Any] | None = None
    district_code: str | None = Field(None, pattern=CODE)
    category_codes: list[str] | None = Field(None, max_length=20)
    tie_strength: TieStrength | None = None
    responsible_user_id: str | None = None
    status: PartnerStatus | None = Field(None, description="active or inactive")


class Owner(BaseModel):
    id: str
    name: str


class PartnerSummary(BaseModel):
    id: str
    owner: Owner
    owned: bool
    view: str = Field(description="full (own organisation), contact or basic (shared)")
    kind: str
    status: str
    name: str
    district_code: str | None
    category_codes: list[str]
    tie_strength: str
    last_contact_on: date | None


class CompetenceCardOut(BaseModel):
    id: str
    kind: str
    domain: str
    title: str
    description: str = ""
    preferences: str = ""


class PartnerOut(PartnerSummary):
    card: dict[str, Any]
    card_updated_on: date
    responsible_user_id: str | None = None
    purge_after: date | None = None
    consents: list[ConsentState] = Field(default_factory=list)
    competence_cards: list[CompetenceCardOut] = Field(default_factory=list)
    possible_duplicates: list[str] = Field(
        default_factory=list, description="ids of own partners with the same e-mail, phone or name"
    )


class PartnerPage(BaseModel):
    items: list[PartnerSummary]
    total: int
    page: int
    page_size: int
