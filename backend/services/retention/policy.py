"""The retention policy: how long each kind of record is kept, national defaults and each force's own, with history.

Modelled on the response policy (backend/services/clocks/policy.py): one row per change in `retention_rules`
with the moment it took effect, so the schedule a purge applied can always be shown afterwards. The defaults
below are recorded on first use from the beginning of time; a later change to them takes effect from then on.
A force may set its own period for the report rules (its reports); the other rules are national.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from backend.security import iso
from backend.services.errors import Invalid
from backend.writes import write

ALL = ""  # the `force` of a national row
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rule:
    name: str
    default: str
    per_force: bool
    words: str


RULES = (
    Rule("closed_reports", "6 years", True, "reports closed this long ago (MoPI review period)"),
    Rule("closed_duplicate_or_mistake", "1 year", True, "reports closed as a duplicate or as sent by mistake"),
    Rule("unrouted_reports", "1 year", False, "reports outside every area (no force), after receipt"),
    Rule("incomplete_uploads", "30 days", False, "photo uploads never completed, after they were started"),
    Rule("staff_access_log", "2 years", False, "the log of which member of staff read which report"),
    Rule("silent_devices", "3 years", False, "farmers' phones not heard from this long, with no report left"),
)
BY_NAME = {r.name: r for r in RULES}
# Closing outcomes that mark a report as never needed: backend/schemas.py CLOSE_OUTCOMES.
SHORT_OUTCOMES = ("duplicate", "mistake")

_PERIOD = re.compile(r"^\s*(\d{1,4})\s*(day|month|year)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    count: int
    unit: str  # day, month, year

    @classmethod
    def parse(cls, text: str) -> Period:
        found = _PERIOD.match(text or "")
        if not found or int(found.group(1)) < 1:
            raise Invalid(f"a period looks like '6 years', '18 months' or '30 days', not {text!r}")
        return cls(int(found.group(1)), found.group(2).lower())

    def __str__(self) -> str:
        return f"{self.count} {self.unit}" + ("" if self.count == 1 else "s")

    def before(self, moment: datetime) -> datetime:
        """The moment this period before `moment` (a calendar month or year; the 29th of February steps back to
        the 28th where needed)."""
        if self.unit == "day":
            return moment - timedelta(days=self.count)
        months = self.count * (12 if self.unit == "year" else 1)
        total = moment.year * 12 + moment.month - 1 - months
        year, month = divmod(total, 12)
        day = moment.day
        while True:
            try:
                return moment.replace(year=year, month=month + 1, day=day)
            except ValueError:
                day -= 1


def check_rule(name: str) -> Rule:
    rule = BY_NAME.get(name)
    if rule is None:
        raise Invalid(f"rule must be one of {', '.join(BY_NAME)}")
    return rule


def _insert(
    db: sqlite_utils.Database, force: str, rule: str, period: str | None, effective: datetime, by: str, now: datetime
) -> None:
    db.execute(
        "INSERT INTO retention_rules (force, rule, period, effective_from, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)",
        [force, rule, period, iso(effective), by, iso(now)],
    )


def sync_defaults(db: sqlite_utils.Database, now: datetime) -> int:
    """Record the shipped defaults where they differ from those in force; returns the number of changes."""
    with write(db):
        synced = db.execute("SELECT 1 FROM retention_rules WHERE force = '' LIMIT 1").fetchone() is not None
        current = current_policy(db) if synced else None
        effective = now if synced else BEGINNING
        changes = 0
        for rule in RULES:
            if current is None or current.national(rule.name, now) != rule.default:
                _insert(db, ALL, rule.name, rule.default, effective, "defaults", now)
                changes += 1
    return changes


def set_period(
    db: sqlite_utils.Database, rule: str, period: str | None, force: str | None, set_by: str, now: datetime
) -> str | None:
    """A new period for a rule, national or a force's own, in force from now; `period` None removes a force's
    override. Returns the period as stored."""
    found = check_rule(rule)
    if force and not found.per_force:
        raise Invalid(f"{rule} is national: a force cannot set its own")
    if period is None and not force:
        raise Invalid("the national period cannot be removed, only changed")
    stored = str(Period.parse(period)) if period is not None else None
    sync_defaults(db, now)
    with write(db):
        _insert(db, force or ALL, rule, stored, now, set_by, now)
    return stored


class RetentionPolicy:
    """Every row, indexed for lookups at a moment (a few dozen rows)."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows: dict[tuple[str, str], tuple[list[datetime], list[str | None]]] = {}
        for row in rows:
            times, periods = self._rows.setdefault((row["force"], row["rule"]), ([], []))
            times.append(datetime.fromisoformat(row["effective_from"]))
            periods.append(row["period"])

    def _at(self, key: tuple[str, str], at: datetime) -> str | None:
        times, periods = self._rows.get(key, ([], []))
        i = bisect.bisect_right(times, at)
        return periods[i - 1] if i else None

    def national(self, rule: str, at: datetime) -> str | None:
        return self._at((ALL, rule), at)

    def lookup(self, rule: str, force: str | None, at: datetime) -> tuple[str, str]:
        """(period, where it came from) in force at `at` for a force's records (None: national)."""
        if force and BY_NAME[rule].per_force:
            own = self._at((force, rule), at)
            if own is not None:
                return own, f"{force} override"
        return self.national(rule, at) or BY_NAME[rule].default, "national default"

    def period(self, rule: str, force: str | None, at: datetime) -> Period:
        return Period.parse(self.lookup(rule, force, at)[0])

    def forces_with_overrides(self, at: datetime) -> list[str]:
        return sorted({f for f, r in self._rows if f and self._at((f, r), at) is not None})


def current_policy(db: sqlite_utils.Database) -> RetentionPolicy:
    rows = db.execute("SELECT force, rule, period, effective_from FROM retention_rules ORDER BY effective_from, id")
    return RetentionPolicy(rows.fetchall())


def table(db: sqlite_utils.Database, force: str | None, at: datetime) -> list[dict[str, str]]:
    """Every rule's period in force at `at` for a force (or nationally), with where it came from."""
    policy = current_policy(db)
    out = []
    for rule in RULES:
        period, source = policy.lookup(rule.name, force, at)
        out.append({"rule": rule.name, "period": period, "source": source, "words": rule.words})
    return out


def history(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT force, rule, period, effective_from, set_by, set_at FROM retention_rules ORDER BY effective_from, id"
    )
    return [dict(r) for r in rows.fetchall()]
