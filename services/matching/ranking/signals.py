"""The signals besides text that decide how well a resource suits a support user: category,
district distance, availability, accessibility, tie strength, freshness of contact and
fairness of load. Each is a number in [0, 1] (1 = best) with a reason when it matters."""

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from typing import Any

# Weekday words in Finnish, Swedish and English (stems that the inflected forms share:
# "tiistaisin", "tiistai", "Tuesdays", "tisdagar"), ISO numbering.
_WEEKDAYS = {
    1: ("maanantai", "ma", "mon", "måndag", "må"),
    2: ("tiistai", "ti", "tue", "tisdag"),
    3: ("keskiviikko", "ke", "wed", "onsdag", "on"),
    4: ("torstai", "to", "thu", "torsdag"),
    5: ("perjantai", "pe", "fri", "fredag", "fr"),
    6: ("lauantai", "la", "sat", "lördag", "lö"),
    7: ("sunnuntai", "su", "sun", "söndag", "sö"),
}
_TIME_RANGE = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?\s*[-–]\s*(\d{1,2})(?:[.:](\d{2}))?")
_DAY_RANGE = re.compile(r"\b([a-zåäö]+)\s*[-–]\s*([a-zåäö]+)\b")
_WORD = re.compile(r"[a-zåäö]+")


@dataclass(frozen=True)
class Slot:
    """A weekly time window: ISO weekday and a time range."""

    weekday: int
    start: time
    end: time

    @classmethod
    def of(cls, value: dict[str, Any]) -> "Slot":
        return _slot(int(value["weekday"]), str(value["start"]), str(value["end"]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekday": self.weekday,
            "start": self.start.isoformat("minutes"),
            "end": self.end.isoformat("minutes"),
        }

    def overlaps(self, other: "Slot") -> bool:
        return self.weekday == other.weekday and self.start < other.end and other.start < self.end


@lru_cache(maxsize=4096)
def _slot(weekday: int, start: str, end: str) -> Slot:
    """Stored slots repeat (a week has few usual times): each is parsed once."""
    return Slot(weekday, time.fromisoformat(start), time.fromisoformat(end))


def _weekday(word: str) -> int | None:
    for number, names in _WEEKDAYS.items():
        for name in names:
            if word == name or (len(name) > 2 and word.startswith(name)):
                return number
    return None


def parse_schedule(text: str) -> list[Slot]:
    """Weekly slots from a schedule in words ("Tuesdays 17-19", "ti ja to klo 10–12",
    "ma-pe 9-15"); an empty list when no weekday is named. Without a time the whole day."""
    lowered = text.lower()
    days: list[int] = []
    for first, last in _DAY_RANGE.findall(lowered):
        a, b = _weekday(first), _weekday(last)
        if a and b and a <= b:
            days.extend(range(a, b + 1))
    for word in _WORD.findall(lowered):
        day = _weekday(word)
        if day and day not in days:
            days.append(day)
    if not days:
        return []
    start, end = time(0, 0), time(23, 59)
    match = _TIME_RANGE.search(lowered)
    if match:
        h1, m1, h2, m2 = match.groups()
        if int(h1) < 24 and int(h2) < 24 and (int(h1), int(m1 or 0)) < (int(h2), int(m2 or 0)):
            start, end = time(int(h1), int(m1 or 0)), time(int(h2), int(m2 or 0))
    return [Slot(day, start, end) for day in sorted(days)]


def shared_days(wanted: Sequence[Slot], offered: Sequence[Slot]) -> list[int] | None:
    """The weekdays on which the two meet; None when either side has not said."""
    if not wanted or not offered:
        return None
    return sorted({w.weekday for w in wanted for o in offered if w.overlaps(o)})


def district_closeness(home: str | None, there: str | None, neighbours: Set[str]) -> str | None:
    """``same``, ``neighbour`` or ``further``; None when a district is not known."""
    if not home or not there:
        return None
    if home == there:
        return "same"
    return "neighbour" if there in neighbours else "further"


DISTRICT_SCORE = {"same": 1.0, "neighbour": 0.7, "further": 0.25, None: 0.5}


def freshness(last_contact_on: date | None, today: date) -> float:
    """Partners the team is in touch with are likelier to answer: 1 within three months,
    falling to 0.2 after two years; unknown counts as old."""
    if last_contact_on is None:
        return 0.2
    days = (today - last_contact_on).days
    if days <= 90:
        return 1.0
    return max(0.2, 1.0 - (days - 90) / 640)


def fairness(open_requests: int) -> float:
    """Spreads requests: each open referral already asked of a partner halves the pull less
    steeply than a hard limit would (1, 0.67, 0.5, 0.4 …)."""
    return 1.0 / (1.0 + 0.5 * open_requests)
