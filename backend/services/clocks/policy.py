"""The response policy: which clocks every report runs and their targets, per category and per force, with history.

Defaults ship in backend/data/response-policy.toml (read with tomllib). Targets live in the `policy_targets`
table, one row per change with the moment it took effect, so a report is measured against the policy in
force when it was received and old figures never move. See the TOML file for the order in which a force's
overrides and the per-category targets apply.
"""

from __future__ import annotations

import bisect
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from backend.db import db_path, write_transaction
from backend.security import iso
from backend.services.clocks.working_time import BadTarget, Target
from backend.services.errors import Invalid
from wire.categories import BY_CODE, CATEGORIES

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "response-policy.toml"
# The clocks the code knows how to compute; the file gives their words, flags and targets.
CLOCK_NAMES = ("answered", "reference", "decision", "update", "attendance")
FLAGS = ("unanswered", "no_reference", "no_decision", "no_update", "attendance_late")
NONE = "none"
ALL = ""  # the `force` or `category` of a row that applies to every force or category
# Targets loaded the first time hold for every report ever received, including those imported from before.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
EVENTS_THAT_STOP = frozenset(
    {"acknowledged", "contacted", "reference_added", "attended", "decision", "update_sent", "closed", "assigned"}
)


@dataclass(frozen=True)
class ClockSpec:
    name: str
    label: str
    basis: str
    flag: str
    public: bool
    stopped_by: frozenset[str]
    cadence: bool
    applies: str | None  # None: every report; "happening_now": only live incidents


@dataclass(frozen=True)
class PolicyFile:
    clocks: tuple[ClockSpec, ...]
    # (category or ALL, clock) -> target text ("none" when the clock does not run)
    defaults: dict[tuple[str, str], str]


def check_target(text: str) -> str:
    """A target as stored: normalised ('2 Hours' -> '2 hours') or 'none'. Raises Invalid."""
    if text.strip().lower() == NONE:
        return NONE
    try:
        return str(Target.parse(text))
    except BadTarget as exc:
        raise Invalid(str(exc)) from exc


def parse_target(text: str | None) -> Target | None:
    return None if text is None or text == NONE else Target.parse(text)


def load_file(path: Path = DEFAULT_FILE) -> PolicyFile:
    """Read and check the shipped defaults. Raises Invalid with the file's mistake."""
    data = tomllib.loads(path.read_text())
    clocks_data: dict[str, Any] = data.get("clocks", {})
    if sorted(clocks_data) != sorted(CLOCK_NAMES):
        raise Invalid(f"{path.name}: [clocks] must define exactly {', '.join(CLOCK_NAMES)}")
    clocks = []
    defaults: dict[tuple[str, str], str] = {}
    urgent = [c.code for c in CATEGORIES if c.urgent]
    for name in CLOCK_NAMES:
        spec = clocks_data[name]
        stopped_by = frozenset(spec.get("stopped_by", ()))
        if not stopped_by or not stopped_by <= EVENTS_THAT_STOP:
            raise Invalid(f"{path.name}: clocks.{name}.stopped_by must list events from {sorted(EVENTS_THAT_STOP)}")
        if spec.get("flag") not in FLAGS:
            raise Invalid(f"{path.name}: clocks.{name}.flag must be one of {', '.join(FLAGS)}")
        clocks.append(
            ClockSpec(
                name=name,
                label=spec["label"],
                basis=spec.get("basis", ""),
                flag=spec["flag"],
                public=bool(spec.get("public", True)),
                stopped_by=stopped_by,
                cadence=bool(spec.get("cadence", False)),
                applies=spec.get("applies"),
            )
        )
        defaults[(ALL, name)] = check_target(spec["target"])
        if "urgent" in spec:
            for code in urgent:
                defaults[(code, name)] = check_target(spec["urgent"])
    for code, targets in data.get("categories", {}).items():
        if code not in BY_CODE:
            raise Invalid(f"{path.name}: unknown category {code!r}")
        for name, text in targets.items():
            if name not in CLOCK_NAMES:
                raise Invalid(f"{path.name}: categories.{code}: unknown clock {name!r}")
            defaults[(code, name)] = check_target(text)
    return PolicyFile(tuple(clocks), defaults)


_file_cache: dict[Path, tuple[float, PolicyFile]] = {}


def policy_file(path: Path = DEFAULT_FILE) -> PolicyFile:
    mtime = path.stat().st_mtime
    cached = _file_cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_file(path))
        _file_cache[path] = cached
    return cached[1]


def clock_specs() -> tuple[ClockSpec, ...]:
    return policy_file().clocks


def _bump_version(db: sqlite_utils.Database) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('policy_version', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def _insert(
    db: sqlite_utils.Database,
    force: str,
    category: str,
    clock: str,
    target: str | None,
    effective_from: datetime,
    set_by: str,
    now: datetime,
) -> None:
    db.execute(
        "INSERT INTO policy_targets (force, category, clock, target, effective_from, set_by, set_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [force, category, clock, target, iso(effective_from), set_by, iso(now)],
    )


def sync_defaults(db: sqlite_utils.Database, now: datetime, path: Path = DEFAULT_FILE) -> int:
    """Record the file's defaults where they differ from those in force; returns the number of changes.

    The first load takes effect from the beginning of time; a later change to the file takes effect now.
    """
    wanted = load_file(path).defaults
    with write_transaction(db):
        synced = db.execute("SELECT 1 FROM policy_targets WHERE force = '' LIMIT 1").fetchone() is not None
        current = current_policy(db).defaults_at(now) if synced else {}
        effective = now if synced else BEGINNING
        changes = 0
        for (category, clock), target in sorted(wanted.items()):
            if current.get((category, clock)) != target:
                _insert(db, ALL, category, clock, target, effective, "defaults file", now)
                changes += 1
        for category, clock in sorted(set(current) - set(wanted)):
            _insert(db, ALL, category, clock, None, effective, "defaults file", now)
            changes += 1
        if changes:
            _bump_version(db)
    return changes


def set_override(
    db: sqlite_utils.Database,
    force: str,
    clock: str,
    category: str | None,
    target: str | None,
    set_by: str,
    now: datetime,
) -> None:
    """A force's own target for a clock (for one category, or every category), in force from now.

    `target` None removes the override, so the defaults apply again. Call inside a write transaction.
    """
    if clock not in CLOCK_NAMES:
        raise Invalid(f"clock must be one of {', '.join(CLOCK_NAMES)}")
    if category is not None and category not in BY_CODE:
        raise Invalid(f"unknown category {category!r}")
    if not force:
        raise Invalid("a force is needed")
    stored = check_target(target) if target is not None else None
    _insert(db, force, category or ALL, clock, stored, now, set_by, now)
    _bump_version(db)


class Policy:
    """Every target row, indexed in memory for lookups at any moment (a few hundred rows at most)."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows: dict[tuple[str, str, str], tuple[list[datetime], list[str | None]]] = {}
        for row in rows:
            times, targets = self._rows.setdefault((row["force"], row["category"], row["clock"]), ([], []))
            times.append(datetime.fromisoformat(row["effective_from"]))
            targets.append(row["target"])
        self._parsed: dict[str, Target | None] = {}
        # (force, category, clock) -> the moments the answer can change and the answer from each: built on
        # first use, so that a lookup for a million reports is one bisect rather than four.
        self._resolved: dict[tuple[str, str, str], tuple[list[datetime], list[tuple[str | None, str]]]] = {}

    def _at(self, key: tuple[str, str, str], at: datetime) -> tuple[bool, str | None]:
        entry = self._rows.get(key)
        if entry is None:
            return False, None
        i = bisect.bisect_right(entry[0], at)
        if i == 0:
            return False, None
        return True, entry[1][i - 1]

    def lookup(self, force: str | None, category: str, clock: str, at: datetime) -> tuple[str | None, str]:
        """(target text or None when nothing is set, where it came from) in force at `at`."""
        by_category, by_default = (ALL, category, f"default for {category}"), (ALL, ALL, "default")
        # Without a force there are no overrides to look at: its "override" levels would be the default rows again,
        # named " override" (an empty force name).
        levels = (
            [(force, category, f"{force} override for {category}"), by_category, (force, ALL, f"{force} override")]
            if force
            else [by_category]
        ) + [by_default]
        for f, c, source in levels:
            found, target = self._at((f, c, clock), at)
            if found and target is not None:
                return target, source
        return None, "none set"

    def target_text(self, force: str | None, category: str, clock: str, at: datetime) -> str | None:
        """`lookup`'s target alone, fast: the answer only changes at the moments some row takes effect."""
        key = (force or ALL, category, clock)
        resolved = self._resolved.get(key)
        if resolved is None:
            f = key[0]
            moments = sorted(
                {
                    t
                    for k in ((f, category, clock), (ALL, category, clock), (f, ALL, clock), (ALL, ALL, clock))
                    for t in self._rows.get(k, ([], []))[0]
                }
            )
            resolved = (moments, [self.lookup(f, category, clock, m) for m in moments])
            self._resolved[key] = resolved
        i = bisect.bisect_right(resolved[0], at)
        return resolved[1][i - 1][0] if i else None

    def target(self, force: str | None, category: str, clock: str, at: datetime) -> Target | None:
        text = self.target_text(force, category, clock, at)
        if text is None:
            return None
        if text not in self._parsed:
            self._parsed[text] = parse_target(text)
        return self._parsed[text]

    def defaults_at(self, at: datetime) -> dict[tuple[str, str], str]:
        out = {}
        for force, category, clock in self._rows:
            if force == ALL:
                found, target = self._at((force, category, clock), at)
                if found and target is not None:
                    out[(category, clock)] = target
        return out


_cache: dict[str, tuple[str, Policy]] = {}
_cache_lock = threading.Lock()


def current_policy(db: sqlite_utils.Database) -> Policy:
    """The policy of this database, reloaded only when a target has changed (meta `policy_version`)."""
    key = db_path(db)
    row = db.execute("SELECT value FROM meta WHERE key = 'policy_version'").fetchone()
    version = row[0] if row else "0"
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] == version and key:
            return cached[1]
    rows = db.execute(
        "SELECT force, category, clock, target, effective_from FROM policy_targets ORDER BY effective_from, id"
    ).fetchall()
    if not any(r["force"] == ALL for r in rows):
        # Never synced (a database used before the backend first started): the shipped defaults, exactly as
        # sync_defaults will record them.
        rows = [
            {"force": ALL, "category": c, "clock": k, "target": t, "effective_from": iso(BEGINNING)}
            for (c, k), t in policy_file().defaults.items()
        ] + [dict(r) for r in rows]
    policy = Policy(rows)
    with _cache_lock:
        _cache[key] = (version, policy)
    return policy


def resolved_table(db: sqlite_utils.Database, force: str | None, at: datetime) -> list[dict[str, Any]]:
    """Every category's target for every clock in force at `at` for a force, with where each came from."""
    policy = current_policy(db)
    table = []
    for category in CATEGORIES:
        for clock in CLOCK_NAMES:
            text, source = policy.lookup(force, category.code, clock, at)
            table.append({"category": category.code, "clock": clock, "target": text or NONE, "source": source})
    return table


def history(db: sqlite_utils.Database, force: str | None) -> list[dict[str, Any]]:
    """Every change to the defaults and to a force's overrides, oldest first."""
    rows = db.execute(
        "SELECT force, category, clock, target, effective_from, set_by, set_at FROM policy_targets "
        "WHERE force = '' OR force = ? ORDER BY effective_from, id",
        [force or ALL],
    ).fetchall()
    return [
        {
            "force": r["force"] or None,
            "category": r["category"] or None,
            "clock": r["clock"],
            "target": r["target"],
            "effective_from": r["effective_from"],
            "set_by": r["set_by"],
            "set_at": r["set_at"],
        }
        for r in rows
    ]
