"""How a partner's matchable card becomes resources: each offer, skill, competence or
strength card and available resource is one thing a support user can be pointed to, with
the words it is found by and the facts ranking needs (availability, accessibility)."""

from dataclasses import dataclass
from typing import Any

from services.matching.ranking.signals import Slot, parse_schedule

# Words on an organisation card that say the place can be reached without steps, or that
# its information comes in easy-read language (Finnish "selkokieli").
STEP_FREE_WORDS = (
    "esteetön",
    "esteettömät",
    "accessible",
    "wheelchair",
    "pyörätuoli",
    "hissi",
    "lift",
)
EASY_READ_WORDS = ("selko", "easy read", "easy-read", "plain language", "kuvat", "pictures")


@dataclass(frozen=True)
class ResourceDraft:
    kind: str  # offer | resource | skill | competence | strength
    position: int
    title: str
    text: str  # what the resource is found by
    slots: tuple[Slot, ...]


def _joined(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


def resources_of(kind: str, document: dict[str, Any]) -> list[ResourceDraft]:
    if kind == "organisation":
        return _organisation_resources(document)
    return _citizen_resources(document)


def _organisation_resources(document: dict[str, Any]) -> list[ResourceDraft]:
    context = _joined(document.get("target_group"), document.get("facilities"))
    drafts = []
    for i, offer in enumerate(document.get("offers") or []):
        schedule = offer.get("schedule") or ""
        drafts.append(
            ResourceDraft(
                "offer",
                i,
                offer["title"],
                _joined(offer["title"], offer.get("description"), schedule, context),
                tuple(parse_schedule(schedule)),
            )
        )
    for i, resource in enumerate(document.get("resources_available") or []):
        drafts.append(ResourceDraft("resource", i, resource, _joined(resource, context), ()))
    return drafts


def _citizen_resources(document: dict[str, Any]) -> list[ResourceDraft]:
    slots = tuple(Slot.of(a) for a in document.get("availability") or [])
    drafts = [
        ResourceDraft("skill", i, skill, skill, slots)
        for i, skill in enumerate(document.get("skills") or [])
    ]
    for i, card in enumerate(document.get("competences") or []):
        drafts.append(
            ResourceDraft(
                card["kind"],
                i,
                card["title"],
                _joined(card["title"], card.get("domain"), card.get("description")),
                slots,
            )
        )
    return drafts


def step_free(document: dict[str, Any]) -> bool | None:
    """True when the facilities say so; None when the card does not tell."""
    facilities = str(document.get("facilities") or "").lower()
    if not facilities:
        return None
    return any(word in facilities for word in STEP_FREE_WORDS) or None


def easy_read(document: dict[str, Any]) -> bool:
    text = _joined(document.get("facilities"), document.get("target_group")).lower()
    return any(word in text for word in EASY_READ_WORDS)


def resource_title(document: dict[str, Any], kind: str, position: int) -> str:
    """A resource's own name: the offer's title, the skill, or the card's title (the
    partner's name when the card no longer has it)."""
    key = {"offer": "offers", "resource": "resources_available", "skill": "skills"}.get(
        kind, "competences"
    )
    items = document.get(key) or []
    if not isinstance(items, list) or position >= len(items):
        return str(document.get("name", ""))
    item = items[position]
    return str(item["title"]) if isinstance(item, dict) else str(item)
