"""What the suggestions endpoint gives: ranked resources with their reasons."""

from pydantic import BaseModel


class ReasonOut(BaseModel):
    code: str
    weight: float
    text: dict[str, str]  # the reason in words, by language


class SuggestionOut(BaseModel):
    resource_id: str
    partner_id: str
    partner_kind: str
    organisation_id: str
    own_organisation: bool
    kind: str
    title: str
    partner_name: str
    district_code: str | None
    score: float
    reasons: list[ReasonOut]
    explanation: dict[str, str]  # one plain sentence per language for the support user


class SuggestionsOut(BaseModel):
    wish_id: str
    items: list[SuggestionOut]
