"""The cards of the resource file as validated documents. A card is stored whole,
encrypted with its partner's data key, and shown to other organisations only as far as
consent allows (see ``sharing.py``)."""

from datetime import date, time
from typing import Annotated

import phonenumbers
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from shared.crypto import normalise_phone

Text = Annotated[str, Field(max_length=4000)]
Line = Annotated[str, Field(max_length=300)]


class ContactDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    phone: str | None = Field(None, description="any common format; stored as E.164")
    address: Line = ""
    website: Line = ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return normalise_phone(value)
        except (ValueError, phonenumbers.NumberParseException) as exc:
            raise ValueError(f"not a valid phone number: {exc}") from exc


class Availability(BaseModel):
    """A weekly slot: ISO weekday (1 = Monday) and a time range."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=1, le=7)
    start: time
    end: time

    @model_validator(mode="after")
    def _order(self) -> "Availability":
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Offer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(min_length=1)
    description: Text = ""
    schedule: Line = Field("", description="when, in words: 'Tuesdays 17-19'")


class OrganisationCard(BaseModel):
    """Front: contact details, target group, facilities, offers, contact and responsible
    person. Back: resources it has available and resources it needs."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1)
    contact: ContactDetails = ContactDetails()
    target_group: Text = ""
    facilities: Text = ""
    offers: list[Offer] = Field(default_factory=list, max_length=100)
    contact_person: Line = ""
    responsible_person: Line = ""
    resources_available: list[Line] = Field(default_factory=list, max_length=100)
    resources_needed: list[Line] = Field(default_factory=list, max_length=100)
    notes: Text = ""


class CitizenCard(BaseModel):
    """Front: contact details, availability, birthday, skills, information needed."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1)
    contact: ContactDetails = ContactDetails()
    availability: list[Availability] = Field(default_factory=list, max_length=50)
    birthday: date | None = None
    skills: list[Line] = Field(default_factory=list, max_length=100)
    information_needed: Text = ""
    notes: Text = ""

    @field_validator("birthday")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        if value is not None and value >= date.today():
            raise ValueError("a birthday must be in the past")
        return value


Card = OrganisationCard | CitizenCard


class CompetenceCardIn(BaseModel):
    """A competence or strength of a citizen, described in detail with preferences."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern="^(competence|strength)$")
    domain: str = Field(
        pattern="^(housework|health_care|crafts|office_work|languages|technology|outdoors|"
        "arts|sports|care|cooking|teaching|other)$"
    )
    title: Line = Field(min_length=1)
    description: Text = ""
    preferences: Text = Field("", description="how, when and with whom the person likes to do it")


def searchable_text(card: Card) -> list[str]:
    """The free text search covers: offers, skills and resources."""
    if isinstance(card, OrganisationCard):
        offers = [f"{o.title} {o.description}" for o in card.offers]
        return [
            *offers,
            card.target_group,
            card.facilities,
            *card.resources_available,
            *card.resources_needed,
        ]
    return list(card.skills)
