"""UK time: the zone every date a person reads is in, and the UK calendar month the summaries count by."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HOUR = timedelta(hours=1)


def _summer_time_bounds(year: int) -> tuple[datetime, datetime]:
    """01:00 UTC on the last Sunday of March and of October: the UK's summer time in between (since 1996)."""

    def last_sunday(month: int) -> datetime:
        last = datetime(year, month + 1, 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() + 1) % 7)

    return last_sunday(3), last_sunday(10)


class UkSummerTimeRule(tzinfo):
    """The UK's clock by its rule, for a Python with no time zone database (a phone's: Android keeps its own).

    `fromutc` (what `astimezone` uses) is exact; a wall-clock time in the hour repeated in October is summer time
    unless its `fold` says it is the second one, as with zoneinfo."""

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        start, end = _summer_time_bounds(utc.year)
        if start <= utc < end:
            return (utc + _HOUR).replace(tzinfo=self)
        # 01:00-02:00 on the October Sunday comes twice: the second time (GMT) is fold 1.
        return utc.replace(tzinfo=self, fold=int(end <= utc < end + _HOUR))

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(0)
        start, end = _summer_time_bounds(dt.year)
        wall = dt.replace(tzinfo=None, fold=0)
        summer = start <= wall < end or (end <= wall < end + _HOUR and dt.fold == 0)
        return _HOUR if summer else timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt)

    def tzname(self, dt: datetime | None) -> str:
        return "BST" if self.utcoffset(dt) else "GMT"


def _london() -> tzinfo:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        return UkSummerTimeRule()


LONDON = _london()


def uk_month(moment: datetime) -> int:
    """The UK calendar month (yyyymm) of an aware time. The summaries' stored month is the same rule in SQL
    (backend/migrations/m0005_summary_facts.py), tested against this one."""
    local = moment.astimezone(LONDON)
    return local.year * 100 + local.month
