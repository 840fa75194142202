"""Local times of an organisation: due times at a fixed local hour, quiet hours, and
calendar arithmetic (months, birthdays) done on dates, then placed in the time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DUE_HOUR = time(9)  # reminders fall due at nine in the morning, local time


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def at_local(day: date, zone: str, at: time = DUE_HOUR) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def next_birthday(birthday: date, today: date) -> date:
    """This year's or next year's birthday; 29 February is kept on the 28th otherwise."""
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise ValueError(birthday)  # unreachable


def after_quiet_hours(moment: datetime, zone: str, start: time, end: time) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (they may span midnight)."""
    local = moment.astimezone(ZoneInfo(zone))
    now = local.time()
    quiet = (start <= now or now < end) if start > end else (start <= now < end)
    if not quiet:
        return moment
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=ZoneInfo(zone)).astimezone(UTC)
