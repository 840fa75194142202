"""Reasons in plain language, in Finnish and English: short, concrete, about the person's
own life ("close to your home", "on Tuesdays when you are free")."""

from dataclasses import dataclass, field
from typing import Any

_DAYS = {
    "fi": (
        "maanantaisin",
        "tiistaisin",
        "keskiviikkoisin",
        "torstaisin",
        "perjantaisin",
        "lauantaisin",
        "sunnuntaisin",
    ),
    "en": (
        "on Mondays",
        "on Tuesdays",
        "on Wednesdays",
        "on Thursdays",
        "on Fridays",
        "on Saturdays",
        "on Sundays",
    ),
}
_AND = {"fi": " ja ", "en": " and "}

# Each reason code with its phrase; a phrase may use the reason's details.
_PHRASES: dict[str, dict[str, str]] = {
    "words": {"fi": "sopii siihen, mitä toivot", "en": "fits what you wish for"},
    "category": {"fi": "juuri sitä, mitä etsit", "en": "just the kind of thing you look for"},
    "same_district": {"fi": "lähellä kotiasi", "en": "close to your home"},
    "neighbour_district": {"fi": "lähialueella", "en": "near your home"},
    "available": {"fi": "{days}, kun sinulla on aikaa", "en": "{days} when you are free"},
    "not_available": {
        "fi": "ei aikoina, jolloin olet vapaa",
        "en": "not at times when you are free",
    },
    "step_free": {"fi": "esteetön kulku", "en": "step-free access"},
    "easy_read": {"fi": "tietoa selkokielellä", "en": "information in easy-read"},
    "strong_tie": {"fi": "tuttu meille", "en": "someone we know well"},
    "recent_contact": {
        "fi": "olemme olleet yhteydessä äskettäin",
        "en": "we were in touch recently",
    },
    "busy": {"fi": "heitä on pyydetty jo usein", "en": "they have been asked often already"},
    "other_organisation": {"fi": "toisen järjestön kautta", "en": "through another organisation"},
}
# What the support user hears, in this order; the rest is for staff only.
_FOR_THE_PERSON = (
    "same_district",
    "neighbour_district",
    "available",
    "not_available",
    "step_free",
    "easy_read",
    "words",
    "category",
)


@dataclass(frozen=True)
class Reason:
    code: str
    weight: float  # how much it added to (or, below zero, took from) the score
    details: dict[str, Any] = field(default_factory=dict)


def phrase(reason: Reason, language: str) -> str:
    template = _PHRASES[reason.code][language]
    if reason.code == "available":
        days = [_DAYS[language][d - 1] for d in reason.details["weekdays"]]
        return template.format(days=_AND[language].join(days))
    return template


def sentence(title: str, reasons: list[Reason], language: str, *, most: int = 3) -> str:
    """ "Cooking club — close to your home, on Tuesdays when you are free." At most ``most``
    reasons, those that tell the person most."""
    chosen = [r for code in _FOR_THE_PERSON for r in reasons if r.code == code][:most]
    if not chosen:
        return f"{title}."
    return f"{title} — {', '.join(phrase(r, language) for r in chosen)}."
