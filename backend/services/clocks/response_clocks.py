"""Response clocks: the ONE place where a report's clocks are computed.

Every report runs the clocks of the response policy (backend/data/response-policy.toml): answered,
reference, decision, update (a cadence) and attendance. For each this module gives the start, the due
time, the stop (the first event that satisfies it) and a state:

- `running`: not yet satisfied, target not yet passed;
- `breached`: not satisfied and the target has passed (while open: the report is flagged), or the report was
  closed after the target had passed without the clock being satisfied;
- `met` / `met_late`: satisfied at or before / after the target;
- `not_applicable`: the clock does not run for this report (no target for its category, attendance for a
  report that was not happening now), or the report was closed before the target without needing it.

A clock runs out strictly after its due time: an answer at the due second is on time. Targets come from the
policy in force when the report was received, so a later change of policy never moves an old report's figures.
Reopening a closed report starts each unsatisfied clock again from the reopening with a full target; `missed`
counts earlier runs that breached (for the update cadence: gaps between updates longer than the target).

Interface for the queue, the farmer's app and the summaries:
- `report_clocks(db, report_id, now) -> ReportClocks` for one report (its `.clocks` are `ClockState`s);
- `compute_many(db, report_ids, now) -> dict[str, ReportClocks]`, the bulk form;
- the `report_clocks` table, kept current by `store_as_of` (which backend/writes.py calls before a write that
  changed reports commits) and by the sweep: one row per report with each clock's `<clock>_start_s`, `_due_s`,
  `_stop_s` (Unix seconds), `_state` (as of `computed_s`: a `running` clock whose due time has passed is
  breached) and `_missed`, plus `first_reported_s`, `call_mark` and `chases`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlite_utils

from backend.services.clocks.policy import CLOCK_NAMES, FLAGS, ClockSpec, Policy, clock_specs, current_policy

State = Literal["running", "met", "breached", "met_late", "not_applicable"]
CallMark = Literal["red", "amber", "green"]
# 101 answering standards (force figures, e.g. North Yorkshire, Staffordshire).
CALL_AMBER_S = 5 * 60
CALL_RED_S = 15 * 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 500


@dataclass(frozen=True)
class Call:
    channel: str
    called_at: datetime
    waited_s: int | None
    outcome: str


@dataclass(frozen=True)
class ReportFacts:
    """What the clocks depend on, read from the database."""

    id: str
    received_at: datetime
    category: str
    happening_now: bool
    force: str | None
    nation: str
    events: tuple[tuple[str, datetime], ...]  # (kind, at) in the order they happened
    calls: tuple[Call, ...] = ()
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClockState:
    clock: str
    label: str
    flag: str
    public: bool
    target: str | None
    state: State
    start: datetime | None
    due: datetime | None
    stop: datetime | None
    # Run out and not satisfied while the report is open: this is what raises the flag.
    overdue: bool = False
    # For the "since first reported to the police" view: the farmer's earliest 101/999 call, else receipt.
    first_reported_at: datetime | None = None
    chases: tuple[datetime, ...] = ()
    missed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "clock": self.clock,
            "label": self.label,
            "target": self.target,
            "state": self.state,
            "start": self.start,
            "due": self.due,
            "stop": self.stop,
            "overdue": self.overdue,
            "first_reported_at": self.first_reported_at,
            "chases": list(self.chases),
            "missed": self.missed,
        }


@dataclass(frozen=True)
class ReportClocks:
    report_id: str
    computed_at: datetime
    clocks: tuple[ClockState, ...]
    first_reported_at: datetime
    call_mark: CallMark | None
    chases: tuple[datetime, ...] = field(default=())

    def by_name(self, name: str) -> ClockState:
        return next(c for c in self.clocks if c.clock == name)

    def overdue_flags(self) -> set[str]:
        return {c.flag for c in self.clocks if c.overdue}

    def next_due(self, flags: Iterable[str]) -> datetime | None:
        """When the sweep must look at this report again, given the flags it holds.

        The earliest due time of a clock still running or run out but not yet flagged; the beginning of time
        when a flag is held that no longer applies (so the next sweep clears it); None when nothing is timed.
        """
        held = set(flags) & set(FLAGS)
        overdue = self.overdue_flags()
        if held - overdue:
            return EPOCH
        dues = [c.due for c in self.clocks if c.stop is None and c.due is not None and c.flag not in held]
        return min(dues) if dues else None


def _call_mark(calls: Iterable[Call]) -> CallMark | None:
    mark: CallMark | None = None
    for call in calls:
        if call.channel != "101":
            continue
        waited = call.waited_s or 0
        if call.outcome == "abandoned" or waited > CALL_RED_S:
            return "red"
        mark = "amber" if waited > CALL_AMBER_S or mark == "amber" else "green"
    return mark


def _single(
    spec: ClockSpec,
    facts: ReportFacts,
    policy: Policy,
    now: datetime,
    chases: list[datetime],
    first_reported: datetime,
) -> ClockState:
    base = {"clock": spec.name, "label": spec.label, "flag": spec.flag, "public": spec.public}
    text = policy.target_text(facts.force, facts.category, spec.name, facts.received_at)
    target = policy.target(facts.force, facts.category, spec.name, facts.received_at)
    if target is None or (spec.applies == "happening_now" and not facts.happening_now):
        return ClockState(**base, target=text, state="not_applicable", start=None, due=None, stop=None)
    start = facts.received_at
    due = target.due(start, facts.nation)
    stop: datetime | None = None
    state: State | None = None
    is_open, missed = True, 0
    for kind, at in facts.events:
        if kind in spec.stopped_by and is_open:
            stop, state = at, ("met" if at <= due else "met_late")
            break
        if kind == "closed" and is_open:
            is_open, stop, state = False, at, ("breached" if at > due else "not_applicable")
        elif kind == "reopened" and not is_open:
            missed += state == "breached"
            is_open, start, stop, state = True, at, None, None
            due = target.due(at, facts.nation)
    if state is None:
        state = "breached" if now > due else "running"
    end = stop or now
    return ClockState(
        **base,
        target=text,
        state=state,
        start=start,
        due=due,
        stop=stop,
        overdue=stop is None and state == "breached",
        # Only a run that began at receipt (not at a reopening) is measured from the first call to the police.
        first_reported_at=first_reported if start == facts.received_at else None,
        chases=tuple(c for c in chases if start <= c <= end),
        missed=missed,
    )


def _cadence(
    spec: ClockSpec,
    facts: ReportFacts,
    policy: Policy,
    now: datetime,
    chases: list[datetime],
    first_reported: datetime,
) -> ClockState:
    """A clock that restarts at every satisfying event and runs while the report is open.

    It has no "since first reported" view: `first_reported` is accepted so both kinds are called alike.
    """
    base = {"clock": spec.name, "label": spec.label, "flag": spec.flag, "public": spec.public}
    text = policy.target_text(facts.force, facts.category, spec.name, facts.received_at)
    target = policy.target(facts.force, facts.category, spec.name, facts.received_at)
    if target is None:
        return ClockState(**base, target=None, state="not_applicable", start=None, due=None, stop=None)
    start = facts.received_at
    due = target.due(start, facts.nation)
    stop: datetime | None = None
    is_open, missed = True, 0
    for kind, at in facts.events:
        if kind in spec.stopped_by and is_open:
            missed += at > due
            start, due = at, target.due(at, facts.nation)
        elif kind == "closed" and is_open:
            missed += at > due
            is_open, stop = False, at
        elif kind == "reopened" and not is_open:
            is_open, start, stop = True, at, None
            due = target.due(at, facts.nation)
    closed_state: State = "met" if missed == 0 else "met_late"
    state: State = ("breached" if now > due else "running") if is_open else closed_state
    end = stop or now
    return ClockState(
        **base,
        target=text,
        state=state,
        start=start,
        due=due,
        stop=stop,
        overdue=is_open and state == "breached",
        chases=tuple(c for c in chases if start <= c <= end),
        missed=missed,
    )


def compute(
    facts: ReportFacts, policy: Policy, now: datetime, specs: tuple[ClockSpec, ...] | None = None
) -> ReportClocks:
    """Every clock of one report at `now`, from its facts alone (no database access)."""
    specs = specs or clock_specs()
    chases = [at for kind, at in facts.events if kind == "chased"]
    reported = [c.called_at for c in facts.calls if c.channel in ("101", "999")]
    first_reported = min([facts.received_at, *reported])
    clocks = [
        (_cadence if spec.cadence else _single)(spec, facts, policy, now, chases, first_reported) for spec in specs
    ]
    return ReportClocks(facts.id, now, tuple(clocks), first_reported, _call_mark(facts.calls), tuple(chases))


_RELEVANT_KINDS = ("acknowledged", "assigned", "contacted", "reference_added", "attended", "decision")
_RELEVANT_KINDS += ("update_sent", "closed", "reopened", "chased")


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def load_facts(db: sqlite_utils.Database, report_ids: Iterable[str]) -> dict[str, ReportFacts]:
    """The facts of many reports in four queries per few hundred."""
    ids = list(dict.fromkeys(report_ids))
    out: dict[str, ReportFacts] = {}
    kinds = ", ".join(f"'{k}'" for k in _RELEVANT_KINDS)
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            "SELECT r.id, r.received_at, r.category, r.happening_now, r.force, a.nation FROM reports r "
            f"LEFT JOIN areas a ON a.id = r.area_id WHERE r.id IN ({marks})",
            chunk,
        ).fetchall()
        events: dict[str, list[tuple[str, datetime, int]]] = {}
        for report_id, kind, at, event_id in db.execute(
            f"SELECT report_id, kind, at, id FROM events WHERE report_id IN ({marks}) AND kind IN ({kinds})",
            chunk,
        ).fetchall():
            events.setdefault(report_id, []).append((kind, datetime.fromisoformat(at), event_id))
        calls: dict[str, list[Call]] = {}
        for report_id, channel, called_at, waited_s, outcome in db.execute(
            f"SELECT report_id, channel, called_at, waited_s, outcome FROM report_calls WHERE report_id IN ({marks})",
            chunk,
        ).fetchall():
            calls.setdefault(report_id, []).append(Call(channel, datetime.fromisoformat(called_at), waited_s, outcome))
        flags: dict[str, set[str]] = {}
        for report_id, flag in db.execute(
            f"SELECT report_id, flag FROM report_flags WHERE report_id IN ({marks})", chunk
        ).fetchall():
            flags.setdefault(report_id, set()).add(flag)
        for row in rows:
            rid = row[0]
            # Staff may record an action with an earlier time than one already logged: order by when it happened.
            ordered = sorted(events.get(rid, ()), key=lambda e: (e[1], e[2]))
            out[rid] = ReportFacts(
                id=rid,
                received_at=datetime.fromisoformat(row[1]),
                category=row[2],
                happening_now=bool(row[3]),
                force=row[4],
                nation=row[5] or "england_wales",
                events=tuple((kind, at) for kind, at, _ in ordered),
                calls=tuple(calls.get(rid, ())),
                flags=frozenset(flags.get(rid, ())),
            )
    return out


def compute_many(db: sqlite_utils.Database, report_ids: Iterable[str], now: datetime) -> dict[str, ReportClocks]:
    policy = current_policy(db)
    specs = clock_specs()
    return {rid: compute(facts, policy, now, specs) for rid, facts in load_facts(db, report_ids).items()}


def report_clocks(db: sqlite_utils.Database, report_id: str, now: datetime) -> ReportClocks | None:
    """One report's clocks at `now`, or None when there is no such report."""
    return compute_many(db, [report_id], now).get(report_id)


def _s(dt: datetime | None) -> int | None:
    return None if dt is None else math.floor(dt.timestamp())


_COLUMNS = ["report_id", "computed_s", "next_due_s", "first_reported_s", "call_mark", "chases"]
for _name in CLOCK_NAMES:
    _COLUMNS += [f"{_name}_start_s", f"{_name}_due_s", f"{_name}_stop_s", f"{_name}_state", f"{_name}_missed"]
_UPSERT = (
    f"INSERT INTO report_clocks ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    f"ON CONFLICT(report_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[1:])}"
)


def materialise(db: sqlite_utils.Database, clocks: Iterable[tuple[ReportClocks, Iterable[str]]]) -> None:
    """Store each report's clocks and when the sweep must next look at it. Pass (clocks, flags held) pairs."""
    rows = []
    for rc, flags in clocks:
        next_due = rc.next_due(flags)
        row: list[Any] = [
            rc.report_id,
            _s(rc.computed_at),
            _s(next_due),
            _s(rc.first_reported_at),
            rc.call_mark,
            len(rc.chases),
        ]
        for name in CLOCK_NAMES:
            c = rc.by_name(name)
            row += [_s(c.start), _s(c.due), _s(c.stop), c.state, c.missed]
        rows.append(row)
    db.conn.executemany(_UPSERT, rows)


def stored_due(db: sqlite_utils.Database, report_id: str, name: str) -> datetime | None:
    """The due time of a report's clock as last stored; None when the clock does not run or has stopped."""
    if name not in CLOCK_NAMES:
        raise ValueError(f"no clock {name!r}")
    row = db.execute(
        f"SELECT {name}_due_s, {name}_stop_s FROM report_clocks WHERE report_id = ?", [report_id]
    ).fetchone()
    if row is None or row[0] is None or row[1] is not None:
        return None
    return datetime.fromtimestamp(row[0], UTC)


def stop_watching(db: sqlite_utils.Database, report_id: str) -> None:
    """Nothing more is due for this clocks row (its report is gone): the sweep stops looking at it."""
    db.execute("UPDATE report_clocks SET next_due_s = NULL WHERE report_id = ?", [report_id])


def store_as_of(db: sqlite_utils.Database, as_of: Mapping[str, datetime]) -> None:
    """Compute and store many reports' clocks, each as of its own time, a chunk at a time (with the flags each
    holds). Called by `backend.writes` when a write that changed these reports is about to commit."""
    policy, specs = current_policy(db), clock_specs()
    for chunk in _chunks(list(as_of)):
        facts = load_facts(db, chunk)
        materialise(db, [(compute(facts[i], policy, as_of[i], specs), facts[i].flags) for i in chunk if i in facts])
