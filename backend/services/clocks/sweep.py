"""The sweep: flag reports whose clocks ran out, clear flags whose clocks were satisfied, escalate.

Incremental: it looks only at reports whose next due time (`report_clocks.next_due_s`, kept current by the
event log) has passed, so with nothing due it costs one indexed query. Safe to run twice, or in two processes
at once: each batch is read and written under the database's write lock (BEGIN IMMEDIATE), so a second sweep
sees the first one's flags, and each flag event carries an idempotency key (unique per report) as well.
The clock is injected (`now`), so tests move time and the backend passes its own clock.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlite_utils

from backend.db import ConnectionPool
from backend.security import iso
from backend.services import periodic
from backend.services.clocks import notify
from backend.services.clocks.policy import FLAGS, current_policy
from backend.services.clocks.response_clocks import (
    ReportClocks,
    clock_specs,
    compute,
    load_facts,
    materialise,
    stop_watching,
)
from backend.services.intake import events
from backend.settings import Settings
from backend.time_source import Clock
from backend.writes import open_batch, write

# Reports per write transaction: one commit (one fsync) each, and the write lock is held for about as long.
BATCH = 500
CACHE_KIB = 64 * 1024
log = logging.getLogger("hedgerow.sweep")
ACTOR = "sweep"


@dataclass
class SweepResult:
    examined: int = 0
    raised: list[tuple[str, str]] = field(default_factory=list)  # (report id, flag)
    cleared: list[tuple[str, str]] = field(default_factory=list)
    notifications: int = 0


def sweep(
    db: sqlite_utils.Database, now: datetime, settings: Settings | None = None, batch: int = BATCH
) -> SweepResult:
    """Bring every report whose next due time has passed up to date at `now`."""
    settings = settings or Settings()
    # A larger page cache for this connection (a cap, not an allocation): the sweep's writes land on random
    # pages of the events and report_clocks indexes, which with a million reports outgrow SQLite's 2 MiB default.
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    now_s = math.floor(now.timestamp())
    result = SweepResult()
    while True:
        with write(db):
            # A report stored with next_due_s = N has a clock due in second N, so it can only have run out once
            # the current second is past N: after this batch no report is left below now_s, and the loop ends.
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT report_id FROM report_clocks WHERE next_due_s < ? ORDER BY next_due_s LIMIT ?",
                    [now_s, batch],
                ).fetchall()
            ]
            if not ids:
                return result
            _sweep_batch(db, ids, now, settings, result)


def reconcile(db: sqlite_utils.Database, report_ids: list[str], now: datetime, settings: Settings) -> SweepResult:
    """Bring these reports' flags and clocks up to date at `now`, inside the caller's write: an officer's action
    moves the flags and the queue's counts in the same commit, rather than at the next sweep."""
    result = SweepResult()
    if report_ids:
        _sweep_batch(db, list(dict.fromkeys(report_ids)), now, settings, result)
    return result


def _sweep_batch(
    db: sqlite_utils.Database, ids: list[str], now: datetime, settings: Settings, result: SweepResult
) -> None:
    facts = load_facts(db, ids)
    policy = current_policy(db)
    specs = clock_specs()
    fresh = timedelta(hours=settings.escalate_within_hours)
    done: list[tuple[ReportClocks, set[str]]] = []
    computed = {rid: compute(f, policy, now, specs) for rid, f in facts.items()}
    changing = [rid for rid, rc in computed.items() if set(facts[rid].flags) & set(FLAGS) != rc.overdue_flags()]
    rows = _report_rows(db, changing)
    raised_before = _raised_keys(db, changing)
    for report_id in ids:
        f = facts.get(report_id)
        if f is None:  # a row left behind by a report that is gone: nothing to time
            stop_watching(db, report_id)
            continue
        result.examined += 1
        rc = computed[report_id]
        held = set(f.flags)
        wanted = rc.overdue_flags()
        mine = held & set(FLAGS)
        if mine != wanted:
            report = rows[report_id]
            for flag in sorted(wanted - mine):
                clock = next(c for c in rc.clocks if c.flag == flag)
                assert clock.due is not None
                key = f"flag_raised:{flag}:{iso(clock.due)}"
                if (report_id, key) in raised_before:
                    # Raised and cleared before for this same due time (an action recorded with an earlier time
                    # moved the clock back): a new raise, so a key of its own.
                    key += f":{iso(now)}"
                events.record_event(
                    db,
                    report,
                    "flag_raised",
                    now,
                    "system",
                    ACTOR,
                    {"flag": flag, "clock": clock.clock, "due": iso(clock.due), "target": clock.target},
                    idem_key=key,
                )
                result.raised.append((report_id, flag))
                if flag == "unanswered" and now - clock.due <= fresh:
                    result.notifications += notify.queue_escalation(db, settings, report, clock, now)
            for flag in sorted(mine - wanted):
                raised_at = db.execute(
                    "SELECT raised_at FROM report_flags WHERE report_id = ? AND flag = ?", [report_id, flag]
                ).fetchone()[0]
                events.record_event(
                    db,
                    report,
                    "flag_cleared",
                    now,
                    "system",
                    ACTOR,
                    {"flag": flag},
                    idem_key=f"flag_cleared:{flag}:{raised_at}",
                )
                result.cleared.append((report_id, flag))
            held = (held - mine) | wanted
        done.append((rc, held))
    materialise(db, done)
    # Stored as of `now` with the flags just set: the write's batch must not store them again as of the earlier
    # time of an event recorded in the same transaction (an officer's action with its own time).
    open_batch(db).clocks_stored(ids)


def _report_rows(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {r["id"]: dict(r) for r in db.execute(f"SELECT * FROM reports WHERE id IN ({marks})", ids).fetchall()}


def _raised_keys(db: sqlite_utils.Database, ids: list[str]) -> set[tuple[str, str]]:
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        f"SELECT report_id, idem_key FROM events WHERE report_id IN ({marks}) AND kind = 'flag_raised'", ids
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


@dataclass
class CycleResult:
    sweep: SweepResult
    digests: int
    delivery: notify.Delivery

    def summary(self) -> str:
        s = self.sweep
        d = self.delivery
        return (
            f"examined {s.examined} report(s); raised {len(s.raised)} flag(s), cleared {len(s.cleared)}; "
            f"queued {s.notifications + self.digests} notification(s) ({self.digests} digest(s)); "
            f"delivered {d.delivered}, failed {d.failed}, gave up {d.gave_up}"
        )


def run_cycle(
    db: sqlite_utils.Database,
    settings: Settings,
    now: datetime,
    client: httpx.Client | None = None,
    deliver: bool = True,
) -> CycleResult:
    """What the backend runs on its schedule and `hedgerow sweep` runs once: sweep, digests, deliveries."""
    swept = sweep(db, now, settings)
    digests = notify.queue_digests(db, settings, now)
    delivery = notify.deliver_due(db, settings, now, client) if deliver else notify.Delivery()
    return CycleResult(swept, digests, delivery)


def schedule(pool: ConnectionPool, settings: Settings, clock: Clock) -> asyncio.Task[None] | None:
    """Run a cycle every `settings.sweep_interval_s` seconds inside the backend (None when turned off)."""

    def once() -> None:
        with pool.connection() as db:
            result = run_cycle(db, settings, clock())
        if result.sweep.raised or result.sweep.cleared or result.delivery.delivered or result.delivery.failed:
            log.info("sweep: %s", result.summary())

    return periodic.every(settings.sweep_interval_s, once, "sweep", log)


stop = periodic.stop
