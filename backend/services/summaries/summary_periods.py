"""Periods for the response-time summaries, in UK dates: a month, a quarter, a year, the last 12 months, or any
dates; each with the period before it and the same period a year earlier.

A period runs from 00:00 UK time on its first day to 00:00 UK time after its last day, so a report received at
00:30 BST on 1 August counts in August although it is still 31 July in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from babel.dates import format_date

from backend.i18n import _, pgettext, speaking_now
from backend.services.errors import Invalid
from core.i18n import DEFAULT_LANGUAGE
from core.uktime import LONDON

Kind = Literal["month", "quarter", "year", "rolling", "custom"]
EARLIEST = date(2000, 1, 1)
MAX_DAYS = 3 * 366 + 1
ROLLING = "12m"
CUSTOM = "custom"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _day(d: date) -> str:
    """'31 October 2026' in the language being spoken."""
    language = speaking_now()
    return f"{d.day} {d:%B %Y}" if language == DEFAULT_LANGUAGE else format_date(d, "d MMMM y", locale=language)


def _month(d: date) -> str:
    """'August 2026' (the month as a name on its own: Welsh 'Awst 2026')."""
    language = speaking_now()
    return f"{d:%B %Y}" if language == DEFAULT_LANGUAGE else format_date(d, "LLLL y", locale=language)


def _minus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=d.year - years, day=28)


def _month_start(d: date, back: int) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def uk_midnight_s(d: date) -> int:
    """00:00 UK time on a day, as Unix seconds."""
    return int(datetime(d.year, d.month, d.day, tzinfo=LONDON).astimezone(UTC).timestamp())


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date  # the first day
    end: date  # the last day (inclusive)

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "rolling":
            return ROLLING
        return CUSTOM

    @property
    def label(self) -> str:
        """'August 2026', 'Q3 2026', '2026', 'the 12 months to 31 October 2026', '1 March 2026 to 15 April 2026'."""
        if self.kind == "month":
            return _month(self.start)
        if self.kind == "quarter":
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "rolling":
            return _("the 12 months to %(day)s") % {"day": _day(self.end)}
        return self.dates

    @property
    def in_words(self) -> str:
        """'in Q3 2026', 'in the 12 months to 31 October 2026', 'from 1 March 2026 to 15 April 2026'."""
        # Each kind its own words: Welsh says "ym mis Awst 2026" but "yn 2026".
        words = {
            "month": pgettext("a month", "in %(period)s"),
            "quarter": pgettext("a quarter", "in %(period)s"),
            "year": pgettext("a year", "in %(period)s"),
            "rolling": pgettext("the last 12 months", "in %(period)s"),
            "custom": _("from %(period)s"),
        }[self.kind]
        return words % {"period": self.label}

    @property
    def dates(self) -> str:
        """'1 July 2026 to 30 September 2026': the first and last day, whatever the kind of period."""
        return _("%(first)s to %(last)s") % {"first": _day(self.start), "last": _day(self.end)}

    @property
    def described(self) -> str:
        """The label with its dates where the label does not give them: 'Q3 2026 (1 July 2026 to 30 September
        2026)'; a period of chosen dates is its dates already."""
        return self.label if self.kind == "custom" else f"{self.label} ({self.dates})"

    def same_dates(self, other: Period) -> bool:
        return (self.start, self.end) == (other.start, other.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_s(self) -> int:
        return uk_midnight_s(self.start)

    @property
    def end_s(self) -> int:
        """00:00 UK time after the last day (exclusive)."""
        return uk_midnight_s(self.end + timedelta(days=1))

    def months(self) -> list[int]:
        """The calendar months (yyyymm) the period touches, in order."""
        out, d = [], date(self.start.year, self.start.month, 1)
        while d <= self.end:
            out.append(d.year * 100 + d.month)
            d = _month_start(d, -1)
        return out

    def previous(self) -> Period:
        """The period just before: the previous month, quarter or year, or as many days just before."""
        if self.kind in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
            start = _month_start(self.start, months)
            return Period(self.kind, start, self.start - timedelta(days=1))
        if self.kind == "rolling":
            return Period("rolling", _minus_years(self.start, 1), self.start - timedelta(days=1))
        return Period("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates a year earlier."""
        return Period(self.kind, _minus_years(self.start, 1), _minus_years(self.end, 1))


def _parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{name} must be a date like 2026-03-01, not {text[:40]!r}") from None


def parse_period(key: str, today: date, start: str = "", end: str = "") -> Period:
    """A period from its key ('2026-08', '2026-Q3', '2026', '12m', 'custom' with start and end). Raises Invalid."""
    key = (key or ROLLING).strip()
    if key == ROLLING:
        return Period("rolling", _minus_years(today, 1) + timedelta(days=1), today)
    if key == CUSTOM:
        if not start or not end:
            raise Invalid("a custom period needs both a first and a last day")
        first, last = _parse_date(start, "from"), _parse_date(end, "to")
        if last < first:
            raise Invalid("the last day of the period is before its first day")
        if last - first > timedelta(days=MAX_DAYS):
            raise Invalid("a period can be at most three years long")
        period = Period("custom", first, last)
    elif match := _MONTH.match(key) or _QUARTER.match(key) or _YEAR.match(key):
        year = int(match.group(1))
        if not EARLIEST.year <= year <= today.year:
            raise Invalid(f"the period must start between {EARLIEST:%Y} and today")
        if match.re is _MONTH:
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise Invalid(f"no month {month} in {key!r}")
            first = date(year, month, 1)
            period = Period("month", first, _month_start(first, -1) - timedelta(days=1))
        elif match.re is _QUARTER:
            first = date(year, 3 * int(match.group(2)) - 2, 1)
            period = Period("quarter", first, _month_start(first, -3) - timedelta(days=1))
        else:
            period = Period("year", date(year, 1, 1), date(year, 12, 31))
    else:
        raise Invalid("period must be a month (2026-08), a quarter (2026-Q3), a year (2026), 12m or custom")
    if period.start < EARLIEST or period.start > today:
        raise Invalid(f"the period must start between {EARLIEST:%Y} and today")
    return period


def period_choices(today: date) -> list[tuple[str, str]]:
    """The periods offered on the summary page: (key, label), most recent first."""
    rolling = parse_period(ROLLING, today)
    choices = [(rolling.key, _("The last 12 months (to %(day)s)") % {"day": _day(today)})]
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for back in range(0, 24, 3):
        q = _month_start(quarter_start, back)
        p = parse_period(f"{q.year}-Q{(q.month - 1) // 3 + 1}", today)
        choices.append((p.key, _so_far(p, today)))
    for back in range(13):
        m = _month_start(today, back)
        p = parse_period(f"{m:%Y-%m}", today)
        choices.append((p.key, _so_far(p, today)))
    for back in range(3):
        p = parse_period(str(today.year - back), today)
        choices.append((p.key, _so_far(p, today)))
    choices.append((CUSTOM, _("Choose the dates")))
    return choices


def _so_far(period: Period, today: date) -> str:
    return _("%(period)s (so far)") % {"period": period.label} if period.end >= today else period.label
