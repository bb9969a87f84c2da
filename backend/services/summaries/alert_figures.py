"""Alerts to farmers in the summaries (issue 19): per force, how many alerts were issued in the period, and the
median time from the report an alert was started from ("Alert farmers about this") to the alert.

Protected as every other figure: a count or a median built on 1 to 4 alerts is "fewer than 5" and nothing is
derived from it; the total row is the sum of the forces', so a force's small count cannot be worked out from it
(summary_suppression.protect). Only forces are named; no alert's words or place are read.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from backend.services.summaries.figures import Cell
from backend.services.summaries.summary_periods import Period
from backend.services.summaries.summary_suppression import Equation, protect
from backend.services.summaries.summary_text import cell_text

TOTAL = "All forces"


@dataclass(frozen=True)
class AlertRow:
    force: str
    issued: Cell
    report_to_alert: Cell  # seconds, to the minute


def _median_minutes(seconds: list[int]) -> int | None:
    return statistics.median_low(seconds) // 60 * 60 if seconds else None


def alert_rows(db: sqlite_utils.Database, scope_force: str | None, force: str | None, period: Period) -> list[AlertRow]:
    """One row per force with alerts in the period (only the scope's force for police staff), and a total row
    when more than one force is shown."""
    chosen = scope_force or force
    rows = db.execute(
        "SELECT force, issued_s, first_report_at FROM alerts WHERE issued_s >= ? AND issued_s < ?"
        + (" AND force = ?" if chosen else "")
        + " ORDER BY force",
        [period.start_s, period.end_s, *([chosen] if chosen else [])],
    ).fetchall()
    issued: dict[str, int] = {}
    delays: dict[str, list[int]] = {}
    for r in rows:
        issued[r["force"]] = issued.get(r["force"], 0) + 1
        if r["first_report_at"]:
            reported = datetime.fromisoformat(r["first_report_at"]).timestamp()
            delays.setdefault(r["force"], []).append(max(0, int(r["issued_s"] - reported)))
    forces = sorted(issued)
    if len(forces) > 1:
        issued[TOTAL] = sum(issued.values())
        delays[TOTAL] = [d for f in forces for d in delays.get(f, [])]
        forces.append(TOTAL)
    equations = [Equation(TOTAL, tuple(forces[:-1]))] if TOTAL in issued else []
    count_status = protect(issued, equations)
    delay_status = protect({f: len(delays.get(f, [])) for f in forces}, [])
    return [
        AlertRow(
            f,
            Cell.make("count", issued[f], issued[f], count_status.get(f)),
            Cell.make("time", _median_minutes(delays.get(f, [])), len(delays.get(f, [])), delay_status.get(f)),
        )
        for f in forces
    ]


def alert_lines(rows: list[AlertRow]) -> list[list[str]]:
    """The table as the summaries page shows it: a header, then a line per force (and the total)."""
    header = ["Force", "Alerts issued", "Median time from the report to the alert"]
    return [header] + [[r.force, cell_text(r.issued), cell_text(r.report_to_alert)] for r in rows]
