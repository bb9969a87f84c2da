"""Working days and response targets in UK time: bank holidays by nation, Europe/London with DST.

The rules, chosen once and used everywhere a target is measured:

- A *working day* is a calendar day in Europe/London, Monday to Friday, that is not a bank holiday in the
  report's nation (`england_wales`, `scotland`, `northern_ireland`; the `holidays` library's GB subdivisions
  ENG, SCT and NIR, including substitute days such as St Andrew's Day observed on a Monday).
- *N working days* from a moment is the earliest moment by which N whole working days have elapsed, where
  time only elapses on working days, measured on the local wall clock:
    * received on a working day at local time T: due at T on the Nth working day after it
      (received Friday 17:00 before a bank-holiday Monday, 1 working day: due Tuesday 17:00);
    * received on a non-working day (weekend or bank holiday): counting starts at 00:00 of the next working
      day, so 1 working day is due at the end of that day (received Saturday 10:00: due Monday 24:00, i.e.
      Tuesday 00:00, even when Tuesday is itself a holiday);
    * received at exactly 00:00 of a working day: that whole day counts, so 1 working day is due at its end.
  Wall-clock times that do not exist (the hour lost when the clocks go forward) resolve to the instant the
  wall clock would show had it not jumped (01:30 on that night is 02:30 BST); ambiguous ones (the hour repeated
  when the clocks go back) resolve to the first of the two.
- *N minutes / hours / days* are elapsed time: 24 hours a day, whatever the clocks do (a 2-hour target from
  01:30 BST on the night the clocks go back is due at 02:30 GMT, two real hours later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from core.targets import BadTarget as BadTarget  # raised by Target.parse
from core.targets import Unit, parse_target
from core.uktime import LONDON

Nation = Literal["england_wales", "scotland", "northern_ireland"]
NATION_SUBDIV: dict[str, str] = {"england_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}


@dataclass(frozen=True)
class Target:
    """A response target: an amount of elapsed time or of working days."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Target:
        """'2 hours', '60 minutes', '30 days', '1 working day', '5 working days' (the grammar: core/targets.py)."""
        amount, unit = parse_target(text)
        return cls(amount, unit)

    def __str__(self) -> str:
        word = {"minutes": "minute", "hours": "hour", "days": "day", "working_days": "working day"}[self.unit]
        return f"{self.amount} {word}" + ("s" if self.amount != 1 else "")

    def due(self, start: datetime, nation: str) -> datetime:
        """When a clock started at `start` runs out (UTC)."""
        if self.unit == "working_days":
            return add_working_days(start, self.amount, nation)
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        return start + timedelta(**{self.unit: self.amount})


@lru_cache(maxsize=256)
def _holidays(nation: str, year: int) -> frozenset[date]:
    subdiv = NATION_SUBDIV.get(nation, "ENG")
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=year).keys())


def load_calendars(year: int) -> None:
    """Load every nation's bank holidays for `year` and the next now, rather than in the middle of a request
    (the holidays package imports its calendars lazily, tens of modules at the first call)."""
    for nation in NATION_SUBDIV:
        for y in (year, year + 1):
            _holidays(nation, y)


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(nation, day.year)


def bank_holiday_name(day: date, nation: str) -> str | None:
    calendar = holidays.country_holidays("GB", subdiv=NATION_SUBDIV.get(nation, "ENG"), years=day.year)
    return calendar.get(day)


def _next_working_day(day: date, nation: str) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def _local(day: date, at: time) -> datetime:
    """A wall-clock time in London as UTC (fold=0: the first of a repeated hour; a skipped one moves forward)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def add_working_days(start: datetime, n: int, nation: str) -> datetime:
    """The moment N working days after `start`, by the rules in this module's docstring."""
    if n < 1:
        raise ValueError("n must be at least 1")
    local = start.astimezone(LONDON)
    day = local.date()
    wall = local.time().replace(tzinfo=None)
    if not is_working_day(day, nation):
        day = _next_working_day(day, nation)
        wall = time(0)
    if wall == time(0):
        # The whole of `day` counts: due at the end of the Nth working day, counting `day` as the first.
        for _ in range(n - 1):
            day = _next_working_day(day, nation)
        return _local(day + timedelta(days=1), time(0))
    for _ in range(n):
        day = _next_working_day(day, nation)
    return _local(day, wall)
