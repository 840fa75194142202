"""The eco-map member form (add and edit) ↔ matching's payloads, and matching's error
``field`` (``name``, ``partner_id``, ``support.1``…) → the form field and a message in plain
words. The same form serves the support user's own steps, one field at a time."""

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from services.portal.labels import (
    ECO_FREQUENCIES,
    ECO_RECIPROCITY,
    ECO_RELATIONS,
    ECO_RINGS,
    ECO_SUPPORT,
)
from services.portal.partner_form import Translate
from services.portal.schemas import EcoMapMember
from services.portal.support_user_form import text_of, values_of

NAME_MAX = 200
NOTE_MAX = 2000
LABEL_MAX = 200
# The form's fields; each one's id on a page is "member-<field>".
FIELDS = ("name", "partner_id", "relation", "ring", "support", "reciprocity", "frequency", "note")
CHOICES: dict[str, dict[str, str]] = {
    "relation": ECO_RELATIONS,
    "ring": ECO_RINGS,
    "reciprocity": ECO_RECIPROCITY,
    "frequency": ECO_FREQUENCIES,
}


def field_id(name: str) -> str:
    return f"member-{name}"


@dataclass
class MemberForm:
    name: str = ""
    partner_id: str = ""
    relation: str = ""
    ring: str = ""
    support: list[str] = field(default_factory=list)
    reciprocity: str = ""
    frequency: str = ""
    note: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> "MemberForm":
        return cls(
            name=text_of(data, "name"),
            partner_id=text_of(data, "partner_id"),
            relation=text_of(data, "relation"),
            ring=text_of(data, "ring"),
            # Kept as sent, unknown kinds too: matching names the one it refuses.
            support=list(dict.fromkeys(v.strip() for v in values_of(data, "support") if v.strip())),
            reciprocity=text_of(data, "reciprocity"),
            frequency=text_of(data, "frequency"),
            note=text_of(data, "note"),
        )

    @classmethod
    def from_member(cls, member: EcoMapMember) -> "MemberForm":
        return cls(
            name=member.name,
            partner_id=member.partner_id or "",
            relation=member.relation,
            ring=member.ring,
            support=list(member.support),
            reciprocity=member.reciprocity,
            frequency=member.frequency,
            note=member.note or "",
        )

    def hidden(self) -> list[tuple[str, str]]:
        """The form's values as (name, value) pairs, for carrying them from one step to the
        next in hidden fields."""
        pairs = [(name, getattr(self, name)) for name in FIELDS if name != "support"]
        pairs += [("support", kind) for kind in self.support]
        return [(name, value) for name, value in pairs if value]

    # -- checks before matching sees the form -----------------------------------------

    def check(self, _: Translate, only: tuple[str, ...] = FIELDS) -> dict[str, str]:
        """Errors keyed by field id; ``only`` limits the checks to some fields (a step)."""
        errors: dict[str, str] = {}
        if "name" in only:
            if not self.name:
                errors[field_id("name")] = _("Enter the name.")
            elif len(self.name) > NAME_MAX:
                errors[field_id("name")] = _("Shorten the name to at most 200 characters.")
        for name in ("relation", "ring", "reciprocity", "frequency"):
            if name in only and getattr(self, name) not in CHOICES[name]:
                errors[field_id(name)] = _choice_message(name, _)
        if "note" in only and len(self.note) > NOTE_MAX:
            errors[field_id("note")] = _("Shorten the note to at most 2000 characters.")
        return errors

    # -- payloads ------------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "partner_id": self.partner_id or None,
            "relation": self.relation,
            "ring": self.ring,
            "support": self.support,
            "reciprocity": self.reciprocity,
            "frequency": self.frequency,
            "note": self.note or None,
        }

    # -- matching's errors ---------------------------------------------------------------

    def api_error(self, api_field: str | None, message: str, _: Translate) -> tuple[str, str]:
        """The field id for matching's error ``field`` and what to say there; the id is
        ``""`` when the error belongs to the whole form."""
        name = (api_field or "").split(".")[0]
        if name == "name":
            return field_id("name"), _("Enter the name (at most 200 characters).")
        if name == "partner_id":
            return field_id("partner_id"), _(
                "This partner cannot be linked: only partners who agreed to be proposed to "
                "the people you support can be. Choose another, or leave it empty."
            )
        if name == "support":
            return field_id("support"), _("Choose the kinds of support from the list.")
        if name in CHOICES:
            return field_id(name), _choice_message(name, _)
        if name == "note":
            return field_id("note"), _("Shorten the note to at most 2000 characters.")
        return "", _("Saving did not succeed: %(detail)s") % {"detail": message}


def _choice_message(name: str, _: Translate) -> str:
    if name == "relation":
        return _("Choose who the member is to the person.")
    if name == "ring":
        return _("Choose how close the member is.")
    if name == "reciprocity":
        return _("Choose who gives to whom.")
    return _("Choose how often they are in touch.")


def support_known(kinds: list[str]) -> bool:
    """Whether every kind of support is one matching knows (the staff form leaves that to
    matching, so that its error names the field; the support user's steps check it)."""
    return all(kind in ECO_SUPPORT for kind in kinds)
