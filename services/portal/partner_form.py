"""The partner form: what a person typed, as the registry's partner and consent payloads,
and the registry's error ``field`` (``card.contact.email``, ``consents[1].purpose``, …)
turned back into the form field it belongs to, with a message in plain words."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.portal.labels import SHARE_SCOPES, SIMPLE_PURPOSES
from services.portal.schemas import Partner
from services.portal.templating import today

OFFER_SLOTS = 3
AVAILABILITY_SLOTS = 2
CATEGORY_SLOTS = 3
OFFER_FIELDS = ("title", "description", "schedule")
AVAILABILITY_FIELDS = ("weekday", "start", "end")
LINE_FIELDS = ("resources_available", "resources_needed", "skills")
CONTACT_FIELDS = ("email", "phone", "address", "website")
TEXT_FIELDS = {
    "organisation": (
        "name",
        "target_group",
        "facilities",
        "contact_person",
        "responsible_person",
        "notes",
    ),
    "citizen": ("name", "birthday", "information_needed", "notes"),
}
KINDS = ("organisation", "citizen")

# Sharing with one named organisation is chosen from a list, not ticked: the select and
# its scope.
SHARE_ORGANISATION = "share_organisation"
SHARE_ORGANISATION_SCOPE = "share_organisation_scope"
ORGANISATION_PREFIX = "organisation:"

FormValues = Mapping[str, Any]
Translate = Callable[[str], str]


def purpose_id(purpose: str) -> str:
    """An element id for a purpose's checkbox: ``purpose-file``, ``purpose-pool-<id>``."""
    return "purpose-" + re.sub(r"[^A-Za-z0-9-]", "-", purpose)


def purpose_field(purpose: str) -> str:
    """The form field a purpose was chosen with: its checkbox, or the organisation select."""
    return SHARE_ORGANISATION if purpose.startswith(ORGANISATION_PREFIX) else purpose_id(purpose)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(form: FormValues, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form: FormValues, name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return [v for v in getlist(name) if isinstance(v, str)]
    value = form.get(name)
    return [value] if isinstance(value, str) else list(value or [])


def _scope(form: FormValues, name: str) -> str:
    scope = _text(form, name)
    return scope if scope in SHARE_SCOPES else "basic"


@dataclass
class ConsentChoice:
    """The consents captured on a form: the purposes ticked (and the organisation chosen
    to share with) and how they were given."""

    purposes: list[str] = field(default_factory=list)
    scopes: dict[str, str] = field(default_factory=dict)  # sharing purpose -> basic|contact
    method: str = ""
    information_version: str = ""
    obtained_on: str = ""
    valid_until: str = ""
    evidence_ref: str = ""
    organisation: str = ""  # the organisation chosen to share with, as sent

    @classmethod
    def from_form(cls, form: FormValues, allowed_sharing: list[str]) -> "ConsentChoice":
        ticked = set(_list(form, "purpose"))
        purposes = [p for p in SIMPLE_PURPOSES if p in ticked]
        purposes += [p for p in allowed_sharing if p in ticked]
        scopes = {p: _scope(form, f"scope-{purpose_id(p)}") for p in allowed_sharing}
        # Not checked against the directory here: an organisation the registry does not
        # know (or the partner's own) comes back as its error at the select.
        organisation = _text(form, SHARE_ORGANISATION)[:100]
        if organisation:
            purpose = ORGANISATION_PREFIX + organisation
            purposes.append(purpose)
            scopes[purpose] = _scope(form, SHARE_ORGANISATION_SCOPE)
        return cls(
            purposes=purposes,
            scopes=scopes,
            method=_text(form, "consent_method"),
            information_version=_text(form, "information_version"),
            obtained_on=_text(form, "obtained_on") or today().isoformat(),
            valid_until=_text(form, "valid_until"),
            evidence_ref=_text(form, "evidence_ref"),
            organisation=organisation,
        )

    @property
    def organisation_scope(self) -> str:
        return self.scopes.get(ORGANISATION_PREFIX + self.organisation, "basic")

    def payload(self) -> list[dict[str, Any]]:
        """One consent per purpose, ``file`` first: the registry wants it in the batch
        before any other purpose."""
        entries = []
        for purpose in self.purposes:
            entry: dict[str, Any] = {
                "purpose": purpose,
                "method": self.method or None,
                "information_version": self.information_version,
                "evidence_ref": self.evidence_ref,
            }
            if ":" in purpose:
                entry["scope"] = self.scopes.get(purpose, "basic")
            if self.obtained_on:
                entry["obtained_on"] = self.obtained_on
            if self.valid_until:
                entry["valid_until"] = self.valid_until
            entries.append(entry)
        return entries

    def field_for(self, api_field: str, message: str) -> str | None:
        """The form field of an error in ``consents[i]…`` or ``body[i]…``."""
        # ``consents[1].purpose`` (our checks), ``consents.1.purpose`` (validation), or
        # ``1.purpose`` / ``body[1].purpose`` when the body is the list itself.
        found = re.fullmatch(r"(?:(?:consents|body)\.?)?(?:\[(\d+)\]|(\d+))(?:\.(\w+))?", api_field)
        if found is None:
            return purpose_id("file") if api_field == "consents" else None
        index = int(found.group(1) or found.group(2))
        attribute = found.group(3)
        purpose = self.purposes[index] if index < len(self.purposes) else "file"
        chosen_with = purpose_field(purpose)
        if attribute in (None, "scope"):
            # A check on the whole entry: the dates, or a purpose needing `file` first.
            if "valid_until" in message:
                return "valid_until"
            if "obtained_on" in message:
                return "obtained_on"
            return chosen_with
        return {
            "purpose": chosen_with,
            "method": "consent_method",
            "information_version": "information_version",
            "obtained_on": "obtained_on",
            "valid_until": "valid_until",
            "evidence_ref": "evidence_ref",
        }.get(attribute, chosen_with)


@dataclass
class PartnerForm:
    """One kind's card form, plus the coarse attributes and (when creating) the consents."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)
    offers: list[dict[str, str]] = field(default_factory=list)
    availability: list[dict[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    consent: ConsentChoice = field(default_factory=ConsentChoice)
    base_card: dict[str, Any] = field(default_factory=dict)
    # Which form slot each payload entry came from (blank slots are left out).
    _offer_slots: list[int] = field(default_factory=list)
    _availability_slots: list[int] = field(default_factory=list)
    _category_slots: list[int] = field(default_factory=list)

    # -- building ----------------------------------------------------------------------

    @classmethod
    def empty(cls, kind: str, responsible_user_id: str = "") -> "PartnerForm":
        form = cls(
            kind, values={"tie_strength": "weak", "responsible_user_id": responsible_user_id}
        )
        form.consent.obtained_on = today().isoformat()
        form._pad()
        return form

    @classmethod
    def from_form(
        cls, kind: str, form: FormValues, allowed_sharing: list[str] | None = None
    ) -> "PartnerForm":
        names = [*TEXT_FIELDS[kind], *LINE_FIELDS]
        names += [f"contact_{c}" for c in CONTACT_FIELDS]
        names += ["district_code", "tie_strength", "responsible_user_id", "status"]
        values = {name: _text(form, name) for name in names}
        # Line fields keep their line breaks as typed.
        for name in LINE_FIELDS:
            raw = form.get(name)
            values[name] = raw if isinstance(raw, str) else ""
        offers = [
            {f: _text(form, f"offers-{i}-{f}") for f in OFFER_FIELDS}
            for i in range(_count(form, "offers", OFFER_FIELDS))
        ]
        availability = [
            {f: _text(form, f"availability-{i}-{f}") for f in AVAILABILITY_FIELDS}
            for i in range(_count(form, "availability", AVAILABILITY_FIELDS))
        ]
        categories = [_text(form, f"category-{i}") for i in range(_count_simple(form, "category"))]
        parsed = cls(kind, values, offers, availability, categories)
        if allowed_sharing is not None:
            parsed.consent = ConsentChoice.from_form(form, allowed_sharing)
        parsed._pad()
        return parsed

    @classmethod
    def from_partner(cls, partner: Partner) -> "PartnerForm":
        card = partner.card
        contact = card.get("contact") or {}
        values: dict[str, str] = {
            name: str(card.get(name) or "") for name in TEXT_FIELDS[partner.kind]
        }
        for name in LINE_FIELDS:
            values[name] = "\n".join(str(v) for v in card.get(name) or [])
        for name in CONTACT_FIELDS:
            values[f"contact_{name}"] = str(contact.get(name) or "")
        values["district_code"] = partner.district_code or ""
        values["tie_strength"] = partner.tie_strength
        values["responsible_user_id"] = partner.responsible_user_id or ""
        values["status"] = partner.status
        offers = [
            {f: str(offer.get(f) or "") for f in OFFER_FIELDS} for offer in card.get("offers") or []
        ]
        availability = [
            {
                "weekday": str(slot.get("weekday") or ""),
                "start": str(slot.get("start") or "")[:5],
                "end": str(slot.get("end") or "")[:5],
            }
            for slot in card.get("availability") or []
        ]
        form = cls(
            partner.kind,
            values,
            offers,
            availability,
            list(partner.category_codes),
            base_card=dict(card),
        )
        form._pad()
        return form

    def _pad(self) -> None:
        """Blank slots after the filled ones, so that one more can be added without
        JavaScript."""
        self.offers = [o for o in self.offers if any(o.values())]
        self.offers += [dict.fromkeys(OFFER_FIELDS, "")] * max(1, OFFER_SLOTS - len(self.offers))
        self.availability = [a for a in self.availability if any(a.values())]
        self.availability += [dict.fromkeys(AVAILABILITY_FIELDS, "")] * max(
            1, AVAILABILITY_SLOTS - len(self.availability)
        )
        self.categories = [c for c in self.categories if c]
        self.categories += [""] * max(1, CATEGORY_SLOTS - len(self.categories))

    # -- payloads ----------------------------------------------------------------------

    def card(self) -> dict[str, Any]:
        values = self.values
        card: dict[str, Any] = dict(self.base_card)
        for name in TEXT_FIELDS[self.kind]:
            card[name] = values.get(name, "")
        contact: dict[str, str | None] = {
            name: values.get(f"contact_{name}", "") for name in CONTACT_FIELDS
        }
        for name in ("email", "phone"):
            contact[name] = contact[name] or None
        card["contact"] = contact
        if self.kind == "organisation":
            self._offer_slots = [i for i, o in enumerate(self.offers) if any(o.values())]
            card["offers"] = [self.offers[i] for i in self._offer_slots]
            card["resources_available"] = _lines(values.get("resources_available", ""))
            card["resources_needed"] = _lines(values.get("resources_needed", ""))
        else:
            self._availability_slots = [
                i for i, a in enumerate(self.availability) if any(a.values())
            ]
            card["availability"] = [
                {
                    "weekday": _number(self.availability[i]["weekday"]),
                    "start": self.availability[i]["start"] or None,
                    "end": self.availability[i]["end"] or None,
                }
                for i in self._availability_slots
            ]
            card["skills"] = _lines(values.get("skills", ""))
            card["birthday"] = values.get("birthday") or None
        return card

    def _attributes(self) -> dict[str, Any]:
        self._category_slots = [i for i, c in enumerate(self.categories) if c]
        attributes: dict[str, Any] = {
            "district_code": self.values.get("district_code") or None,
            "category_codes": [self.categories[i] for i in self._category_slots],
            "tie_strength": self.values.get("tie_strength") or "weak",
        }
        if self.values.get("responsible_user_id"):
            attributes["responsible_user_id"] = self.values["responsible_user_id"]
        return attributes

    def create_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "card": self.card(),
            **self._attributes(),
            "consents": self.consent.payload(),
        }

    def patch_payload(self, pending: bool) -> dict[str, Any]:
        if pending:
            # Only a name and a way to ask are kept until `file` consent.
            return {"card": self.card()}
        patch = {"card": self.card(), **self._attributes()}
        if self.values.get("status") in ("active", "inactive"):
            patch["status"] = self.values["status"]
        return patch

    # -- errors ------------------------------------------------------------------------

    def field_for(self, api_field: str | None, message: str = "") -> str | None:
        """The id of the form field an API error belongs to, or ``None`` for the form."""
        if not api_field:
            return None
        parts = re.split(r"[.\[\]]+", api_field.strip("."))
        parts = [p for p in parts if p]
        head = parts[0]
        if head in ("consents", "body"):
            return self.consent.field_for(api_field, message)
        if head == "category_codes":
            index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            slot = self._category_slots[index] if index < len(self._category_slots) else 0
            return f"category-{slot}"
        if head in ("district_code", "tie_strength", "responsible_user_id", "status"):
            return head
        if head != "card":
            return None
        rest = parts[1:]
        if not rest:
            return "name"
        name = rest[0]
        if name == "contact":
            if len(rest) > 1 and rest[1] in CONTACT_FIELDS:
                return f"contact_{rest[1]}"
            return "contact_email"
        if name in ("offers", "availability") and len(rest) > 1 and rest[1].isdigit():
            slots = self._offer_slots if name == "offers" else self._availability_slots
            index = int(rest[1])
            slot = slots[index] if index < len(slots) else 0
            fields = OFFER_FIELDS if name == "offers" else AVAILABILITY_FIELDS
            attribute = rest[2] if len(rest) > 2 and rest[2] in fields else fields[-1]
            if name == "offers" and len(rest) == 2:
                attribute = "title"
            return f"{name}-{slot}-{attribute}"
        if name in ("offers", "availability"):
            return f"{name}-0-{OFFER_FIELDS[0] if name == 'offers' else 'weekday'}"
        if name in LINE_FIELDS or name in TEXT_FIELDS[self.kind]:
            return name
        return None


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _count(form: FormValues, prefix: str, fields: tuple[str, ...]) -> int:
    """How many numbered slots the form sent (``offers-0-title``, ``offers-1-title``…)."""
    indexes = [
        int(found.group(1))
        for key in form
        if (found := re.fullmatch(rf"{prefix}-(\d+)-({'|'.join(fields)})", key))
    ]
    return min(max(indexes, default=-1) + 1, 100)


def _count_simple(form: FormValues, prefix: str) -> int:
    indexes = [
        int(found.group(1)) for key in form if (found := re.fullmatch(rf"{prefix}-(\d+)", key))
    ]
    return min(max(indexes, default=-1) + 1, 20)


def friendly_message(field_id: str | None, code: str, message: str, _: Translate) -> str:
    """The registry's error in plain words for the field it is shown at. The registry's
    own message is in English and technical, so it is shown only when nothing better is
    known."""
    text = message.lower()
    if field_id is None:
        if code == "forbidden":
            return _("Only the partner's own organisation can change this.")
        return _("Saving did not succeed: %(detail)s") % {"detail": message}
    if field_id == "name":
        return _("Enter the name (at most 300 characters).")
    if field_id == "contact_email":
        if "pending" in text or "e-mail or a phone" in text:
            return _(
                "A partner waiting for consent needs an e-mail address or a phone number, so "
                "that you can ask them."
            )
        return _("Enter the e-mail address in the correct form, like name@example.org.")
    if field_id == "contact_phone":
        return _("Enter a phone number, like 040 123 4567 or +358 40 123 4567.")
    if field_id in ("contact_address", "contact_website"):
        return _("Shorten this to at most 300 characters.")
    if field_id == "birthday":
        if "past" in text:
            return _("A birthday must be in the past.")
        return _("Enter the date as day, month and year.")
    if field_id.startswith("offers-"):
        if field_id.endswith("-title") and "at most" not in text:
            return _("Give the offer a title.")
        return _("Shorten this to the allowed length.")
    if field_id.startswith("availability-"):
        if "after start" in text:
            return _("The end time must be after the start time.")
        if field_id.endswith("-weekday"):
            return _("Choose the weekday.")
        return _("Enter the time as hours and minutes, like 17:30.")
    if field_id == "district_code":
        return _("Choose a district from the list.")
    if field_id.startswith("category-"):
        return _("Choose a category from the list.")
    if field_id == "responsible_user_id":
        return _("Choose a member of your organisation.")
    if field_id == "consent_method":
        return _("Choose how the consent was given.")
    if field_id == "information_version":
        return _("Enter the version of the information text the partner was given.")
    if field_id == "obtained_on":
        if "future" in text:
            return _("The day the consent was given cannot be in the future.")
        return _("Enter the date as day, month and year.")
    if field_id == "valid_until":
        return _("The end of validity must be after the day the consent was given.")
    if field_id == purpose_id("file"):
        if "only a name" in text:
            return _(
                "Without consent to keep the card, only the name and a way to ask can be "
                "saved. Tick this consent, or leave the other fields empty."
            )
        return _("The other consents need the consent to keep the card first.")
    if field_id == SHARE_ORGANISATION:
        if "needs `file`" in text:
            return _("The other consents need the consent to keep the card first.")
        if "own partner" in text:
            return _("Choose another organisation than your own.")
        return _("Choose the organisation from the list.")
    if field_id.startswith("purpose-"):
        if "needs `file`" in text:
            return _("The other consents need the consent to keep the card first.")
        if "pool" in text:
            return _("Your organisation is not an active member of this pool any more.")
        return _("This consent cannot be recorded: %(detail)s") % {"detail": message}
    if field_id in LINE_FIELDS:
        return _("Each line can be at most 300 characters, and at most 100 lines.")
    return _("Check this value: %(detail)s") % {"detail": message}
