"""The newsletter editor ↔ reminders' newsletter payloads. An issue is a subject, a language,
an audience, typed parts ("blocks": news, an event, new partners, thanks) and an optional
time to send. The editor works without JavaScript: adding, moving and removing a part or
finding partners to name sends the form back with an ``action`` and the page comes back
with the change, nothing saved until "Save". Reminders' error ``field``
(``blocks.2.title``, ``blocks.1.partner_ids.0``, ``scheduled_at``…) → the form field."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from starlette.datastructures import FormData

from services.portal.partner_form import Translate
from services.portal.schemas import NewsletterIssue
from services.portal.support_user_form import text_of, values_of
from services.portal.templating import TIMEZONE

BLOCK_TYPES = ("news", "event", "new_partners", "thanks")
LANGUAGES = ("fi", "en")
MAX_BLOCKS = 30
MAX_NAMED = 50
SUBJECT_MAX = 200
TITLE_MAX = 200
TEXT_MAX = 5000
INTRO_MAX = 2000
WHEN_MAX = 120
WHERE_MAX = 200
# The fields each kind of part has, as reminders takes them.
BLOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "news": ("title", "text"),
    "event": ("title", "when", "where", "text"),
    "new_partners": ("text",),
    "thanks": ("text",),
}


@dataclass
class BlockForm:
    type: str
    title: str = ""
    text: str = ""
    when: str = ""
    where: str = ""
    partner_ids: list[str] = field(default_factory=list)
    find: str = ""  # words to find partners to name, never sent to reminders

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type}
        for name in BLOCK_FIELDS[self.type]:
            body[name] = getattr(self, name)
        if self.type == "new_partners":
            body["partner_ids"] = self.partner_ids
        return body


@dataclass
class NewsletterForm:
    subject: str = ""
    language: str = "fi"
    audience: str = "organisation"
    blocks: list[BlockForm] = field(default_factory=lambda: [BlockForm("news")])
    send: str = "draft"  # draft | scheduled
    send_on: str = ""  # the date and time to send, in Finnish time
    send_at: str = ""

    @classmethod
    def from_form(cls, data: FormData) -> "NewsletterForm":
        count = text_of(data, "block-count")
        blocks = []
        for i in range(min(int(count), MAX_BLOCKS) if count.isdigit() else 0):
            kind = text_of(data, f"block-{i}-type")
            if kind not in BLOCK_TYPES:
                continue
            blocks.append(
                BlockForm(
                    type=kind,
                    title=text_of(data, f"block-{i}-title"),
                    text=text_of(data, f"block-{i}-text"),
                    when=text_of(data, f"block-{i}-when"),
                    where=text_of(data, f"block-{i}-where"),
                    partner_ids=list(dict.fromkeys(values_of(data, f"block-{i}-partner"))),
                    find=text_of(data, f"block-{i}-find")[:200],
                )
            )
        language = text_of(data, "language")
        return cls(
            subject=text_of(data, "subject"),
            language=language if language in LANGUAGES else "fi",
            audience=text_of(data, "audience") or "organisation",
            blocks=blocks,
            send="scheduled" if text_of(data, "send") == "scheduled" else "draft",
            send_on=text_of(data, "send_on"),
            send_at=text_of(data, "send_at"),
        )

    @classmethod
    def from_issue(cls, issue: "NewsletterIssue") -> "NewsletterForm":
        scheduled = issue.scheduled_at.astimezone(TIMEZONE) if issue.scheduled_at else None
        return cls(
            subject=issue.subject,
            language=issue.language,
            audience=issue.audience,
            blocks=[
                BlockForm(
                    type=str(block.get("type", "")),
                    title=str(block.get("title", "")),
                    text=str(block.get("text", "")),
                    when=str(block.get("when", "")),
                    where=str(block.get("where", "")),
                    partner_ids=[str(p) for p in block.get("partner_ids", [])],
                )
                for block in issue.blocks
                if block.get("type") in BLOCK_TYPES
            ],
            send="scheduled" if scheduled else "draft",
            send_on=scheduled.date().isoformat() if scheduled else "",
            send_at=scheduled.strftime("%H:%M") if scheduled else "",
        )

    # -- the editor's actions ------------------------------------------------------------

    def apply(self, action: str) -> str:
        """Carries out an editing action (``add-<type>``, ``up-<i>``, ``remove-<i>``,
        ``find-<i>``); returns the anchor of the part to show, or ``""`` for anything else
        (saving)."""
        verb, _, target = action.partition("-")
        if verb == "add" and target in BLOCK_TYPES and len(self.blocks) < MAX_BLOCKS:
            self.blocks.append(BlockForm(target))
            return f"block-{len(self.blocks) - 1}"
        if not target.isdigit() or int(target) >= len(self.blocks):
            return ""
        index = int(target)
        if verb == "remove":
            del self.blocks[index]
            return "blocks"
        if verb == "up" and index > 0:
            self.blocks[index - 1], self.blocks[index] = self.blocks[index], self.blocks[index - 1]
            return f"block-{index - 1}"
        if verb == "find":
            return f"block-{index}"
        return ""

    # -- checking and sending ------------------------------------------------------------

    def scheduled_at(self) -> datetime | None:
        if self.send != "scheduled":
            return None
        try:
            day = date.fromisoformat(self.send_on)
            hour = time.fromisoformat(self.send_at)
        except ValueError:
            return None
        return datetime.combine(day, hour.replace(second=0, microsecond=0), tzinfo=TIMEZONE)

    def check(self, _: Translate, now: datetime) -> dict[str, str]:
        """What can be said before asking reminders, keyed by the form's field ids."""
        errors: dict[str, str] = {}
        if not self.subject:
            errors["subject"] = _("Write the subject of the newsletter.")
        elif len(self.subject) > SUBJECT_MAX:
            errors["subject"] = _("Shorten the subject to at most 200 characters.")
        if not self.blocks:
            errors["add-block"] = _("Add at least one part to the newsletter.")
        for i, block in enumerate(self.blocks):
            errors.update(_check_block(i, block, _))
        if self.send == "scheduled":
            when = self.scheduled_at()
            if when is None:
                errors["send_on"] = _("Enter the day and the time to send it.")
            elif when <= now:
                errors["send_on"] = _("The time to send must be in the future.")
        return errors

    def payload(self) -> dict[str, Any]:
        when = self.scheduled_at()
        return {
            "subject": self.subject,
            "language": self.language,
            "audience": self.audience,
            "blocks": [block.payload() for block in self.blocks],
            "scheduled_at": when.isoformat() if when else None,
        }

    def refused_partners(self, api_fields: list[str | None]) -> dict[int, list[str]]:
        """The partners reminders refused to name (``blocks.2.partner_ids.1``…), by part."""
        refused: dict[int, list[str]] = {}
        for api_field in api_fields:
            parts = (api_field or "").split(".")
            if len(parts) == 4 and parts[0] == "blocks" and parts[2] == "partner_ids":
                index, position = parts[1], parts[3]
                if index.isdigit() and position.isdigit() and int(index) < len(self.blocks):
                    chosen = self.blocks[int(index)].partner_ids
                    if int(position) < len(chosen):
                        refused.setdefault(int(index), []).append(chosen[int(position)])
        return refused

    def api_error(self, api_field: str | None, _: Translate) -> tuple[str, str]:
        """Reminders' refusal as (the form's field id, a message in plain words)."""
        parts = (api_field or "").split(".")
        if parts[0] == "subject":
            return "subject", _("Write the subject in at most 200 characters.")
        if parts[0] == "audience":
            return "audience", _(
                "Choose who receives it: your organisation is not an active member of that pool."
            )
        if parts[0] == "scheduled_at":
            return "send_on", _("The time to send must be in the future.")
        if parts[0] == "language":
            return "language", _("Choose the language of the newsletter.")
        if parts[0] == "blocks" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            name = parts[2] if len(parts) > 2 else ""
            if name == "partner_ids":
                return f"block-{index}-partner", _(
                    "A partner you chose has not agreed to be named in newsletters. Untick them."
                )
            if name in ("title", "text", "when", "where"):
                return f"block-{index}-{name}", _("Check this: it is empty or too long.")
            return f"block-{index}-title", _("Check this part of the newsletter.")
        if parts[0] == "blocks":
            return "add-block", _("Add at least one part to the newsletter.")
        return "", _("Saving did not succeed. Check the details and try again.")


def _check_block(i: int, block: BlockForm, _: Translate) -> dict[str, str]:
    errors: dict[str, str] = {}
    prefix = f"block-{i}"
    if block.type in ("news", "event"):
        if not block.title:
            errors[f"{prefix}-title"] = _("Write a heading.")
        elif len(block.title) > TITLE_MAX:
            errors[f"{prefix}-title"] = _("Shorten the heading to at most 200 characters.")
    if block.type == "event":
        if not block.when:
            errors[f"{prefix}-when"] = _("Write when the event is, as it should read.")
        elif len(block.when) > WHEN_MAX:
            errors[f"{prefix}-when"] = _("Shorten this to at most 120 characters.")
        if len(block.where) > WHERE_MAX:
            errors[f"{prefix}-where"] = _("Shorten this to at most 200 characters.")
    if block.type in ("news", "thanks") and not block.text:
        errors[f"{prefix}-text"] = _("Write the text.")
    limit = INTRO_MAX if block.type == "new_partners" else TEXT_MAX
    if len(block.text) > limit:
        errors[f"{prefix}-text"] = _("Shorten the text to at most %(max)d characters.") % {
            "max": limit
        }
    if block.type == "new_partners":
        if not block.partner_ids:
            errors[f"{prefix}-partner"] = _("Choose at least one partner to name.")
        elif len(block.partner_ids) > MAX_NAMED:
            errors[f"{prefix}-partner"] = _("Name at most 50 partners in one part.")
    return errors
