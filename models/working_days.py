"""Working days in Germany: Monday to Friday, without the nationwide public holidays (from the
`holidays` library, never a hand-made list), counted on the calendar of Europe/Berlin."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BERLIN = ZoneInfo("Europe/Berlin")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Germany(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start`, at the same local time: received on a
    Friday morning with 5 days, due the next Friday morning; received on a Saturday, due the
    Friday after (the weekend and holidays in between do not count)."""
    local = start.astimezone(BERLIN)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), BERLIN)
    return due.astimezone(start.tzinfo)


def working_days_between(start: datetime, end: datetime) -> int:
    """How many working days after the day of `start` the day of `end` is (0: the same day,
    or only weekend and holidays in between)."""
    first, last = start.astimezone(BERLIN).date(), end.astimezone(BERLIN).date()
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
