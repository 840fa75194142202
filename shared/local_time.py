"""The local wall clock: an organisation's date today, and a time of day as an API field.

"Today" is the date where the organisation works, not where the server runs: between
midnight in Helsinki and midnight in UTC the two differ, and a contact logged at 00:30
belongs to the new day.

Pydantic describes a ``datetime.time`` as ``format: time``, which JSON Schema defines as
RFC 3339's full-time, with a UTC offset. Quiet hours and availability are wall-clock times
without one ("21:00:00"), so the API describes them as what they are: a pattern, not a
format that every such value would break."""

from datetime import date, datetime, time
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, Field, WithJsonSchema

from shared.errors import Invalid

LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "a local time of day, HH:MM or HH:MM:SS, without a UTC offset",
            "examples": ["08:30", "21:00:00"],
        }
    ),
]

DEFAULT_ZONE = "Europe/Helsinki"


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError("not a time zone of the IANA database, such as Europe/Helsinki")
    return value


Zone = Annotated[
    str,
    AfterValidator(_known_zone),
    Field(max_length=64, examples=[DEFAULT_ZONE], description="an IANA time zone"),
]


def today_in(zone: str) -> date:
    """The date on the wall clock of ``zone`` now."""
    return datetime.now(ZoneInfo(zone)).date()


def day_or_today(day: date | None, today: date, field: str) -> date:
    """``day``, or ``today`` when none is given; a day still to come is refused, naming
    ``field``. Checked where the caller's ``today`` is known, not in a request schema."""
    if day is None:
        return today
    if day > today:
        raise Invalid(field, f"{field.rsplit('.', 1)[-1]} cannot be in the future")
    return day
