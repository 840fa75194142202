"""The support user form (add and edit) ↔ matching's payloads, and matching's error
``field`` (``availability.1.end``, ``languages.0``…) → the form field and a message in plain
words."""

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from services.portal.labels import ACCESSIBILITY_NEEDS, SPOKEN_LANGUAGES, WEEKDAYS
from services.portal.partner_form import Translate
from services.portal.schemas import SupportUser

AVAILABILITY_SLOTS = 3
SLOT_FIELDS = ("weekday", "start", "end")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
NAME_MAX = 200
NOTES_MAX = 4000


def text_of(data: FormData, name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def values_of(data: FormData, name: str) -> list[str]:
    return [v for v in data.getlist(name) if isinstance(v, str)]


@dataclass
class SupportUserForm:
    name: str = ""
    district_code: str = ""
    languages: list[str] = field(default_factory=lambda: ["fi"])
    availability: list[dict[str, str]] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    notes: str = ""
    account_user_id: str = ""
    status: str = "active"
    # Which form row each slot of the payload came from, for placing matching's errors.
    _slot_rows: list[int] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._pad()

    @classmethod
    def from_form(cls, data: FormData) -> "SupportUserForm":
        rows = _count(data)
        return cls(
            name=text_of(data, "name"),
            district_code=text_of(data, "district_code"),
            languages=[v for v in values_of(data, "languages") if v in SPOKEN_LANGUAGES],
            availability=[
                {f: text_of(data, f"availability-{i}-{f}") for f in SLOT_FIELDS}
                for i in range(rows)
            ],
            accessibility=[v for v in values_of(data, "accessibility") if v in ACCESSIBILITY_NEEDS],
            notes=text_of(data, "notes"),
            account_user_id=text_of(data, "account_user_id"),
            status=text_of(data, "status") or "active",
        )

    @classmethod
    def from_support_user(cls, person: SupportUser) -> "SupportUserForm":
        return cls(
            name=person.name,
            district_code=person.district_code or "",
            languages=list(person.languages),
            availability=[
                {"weekday": str(s.weekday), "start": s.start[:5], "end": s.end[:5]}
                for s in person.availability
            ],
            accessibility=list(person.accessibility),
            notes=person.notes,
            account_user_id=person.account_user_id or "",
            status=person.status,
        )

    def _pad(self) -> None:
        """Blank rows after the filled ones, so that one more time can be added without
        JavaScript."""
        self.availability = [a for a in self.availability if any(a.values())]
        self.availability += [dict.fromkeys(SLOT_FIELDS, "")] * max(
            1, AVAILABILITY_SLOTS - len(self.availability)
        )

    # -- checks before matching sees the form -----------------------------------------

    def check(self, _: Translate) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.name:
            errors["name"] = _("Enter the name.")
        elif len(self.name) > NAME_MAX:
            errors["name"] = _("Shorten the name to at most 200 characters.")
        if not self.languages:
            errors["languages"] = _("Choose at least one language.")
        for i, slot in enumerate(self.availability):
            if not any(slot.values()):
                continue
            prefix = f"availability-{i}"
            if not slot["weekday"].isdigit() or int(slot["weekday"]) not in WEEKDAYS:
                errors[f"{prefix}-weekday"] = _("Choose the weekday.")
            times_given = True
            for name in ("start", "end"):
                if not TIME.fullmatch(slot[name]):
                    errors[f"{prefix}-{name}"] = _(
                        "Enter the time as hours and minutes, like 17:30."
                    )
                    times_given = False
            if times_given and slot["end"][:5] <= slot["start"][:5]:
                errors[f"{prefix}-end"] = _("The end time must be after the start time.")
        if len(self.notes) > NOTES_MAX:
            errors["notes"] = _("Shorten this to at most 4000 characters.")
        return errors

    # -- payloads ------------------------------------------------------------------------

    def _profile(self) -> dict[str, Any]:
        self._slot_rows = [i for i, a in enumerate(self.availability) if any(a.values())]
        return {
            "name": self.name,
            "languages": self.languages,
            "availability": [
                {
                    "weekday": int(self.availability[i]["weekday"]),
                    "start": self.availability[i]["start"],
                    "end": self.availability[i]["end"],
                }
                for i in self._slot_rows
            ],
            "accessibility": self.accessibility,
            "notes": self.notes,
            "district_code": self.district_code or None,
        }

    def create_payload(self) -> dict[str, Any]:
        payload = self._profile()
        if self.account_user_id:
            payload["account_user_id"] = self.account_user_id
        return payload

    def patch_payload(self) -> dict[str, Any]:
        payload = self._profile()
        if self.status in ("active", "ended"):
            payload["status"] = self.status
        return payload

    # -- matching's errors ---------------------------------------------------------------

    def api_error(self, api_field: str | None, message: str, _: Translate) -> tuple[str, str]:
        """The form field for matching's error ``field`` and what to say there; the field
        is ``""`` when the error belongs to the whole form."""
        name, _dot, rest = (api_field or "").partition(".")
        text = message.lower()
        if name == "name":
            return "name", _("Enter the name (at most 200 characters).")
        if name == "district_code":
            return "district_code", _("Choose a district from the list.")
        if name == "languages":
            return "languages", _("Choose at least one language.")
        if name == "accessibility":
            return "accessibility", _("Choose the needs from the list.")
        if name == "notes":
            return "notes", _("Shorten this to at most 4000 characters.")
        if name == "account_user_id":
            return "account_user_id", _("That login already belongs to another support user.")
        if name == "availability":
            index, _dot, attribute = rest.partition(".")
            slot = int(index) if index.isdigit() else 0
            row = self._slot_rows[slot] if slot < len(self._slot_rows) else 0
            if "after start" in text:
                return f"availability-{row}-end", _("The end time must be after the start time.")
            if attribute == "weekday":
                return f"availability-{row}-weekday", _("Choose the weekday.")
            target = attribute if attribute in SLOT_FIELDS else "start"
            return f"availability-{row}-{target}", _(
                "Enter the time as hours and minutes, like 17:30."
            )
        return "", _("Saving did not succeed: %(detail)s") % {"detail": message}


def _count(data: FormData) -> int:
    """How many availability rows the form sent (``availability-0-weekday``…)."""
    indexes = [
        int(found.group(1))
        for key in data
        if (found := re.fullmatch(r"availability-(\d+)-(weekday|start|end)", key))
    ]
    return min(max(indexes, default=-1) + 1, 50)
