"""A time of day on the local wall clock, as an API field.

Pydantic describes a ``datetime.time`` as ``format: time``, which JSON Schema defines as
RFC 3339's full-time, with a UTC offset. Quiet hours and availability are wall-clock times
without one ("21:00:00"), so the API describes them as what they are: a pattern, not a
format that every such value would break."""

from datetime import time
from typing import Annotated

from pydantic import WithJsonSchema

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
