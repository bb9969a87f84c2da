"""Legal holds ("keep: evidence"): which reports an officer or supervisor keeps out of the purge, and why.

A hold is placed and removed as an event of the report (`hold_placed`, `hold_removed`, each with a reason, not
shown to the farmer), through the staff API's events or the console's report page; `report_holds` holds the
holds standing now (backend/services/intake/events.py writes both in one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Hold:
    reason: str
    by: str
    at: str


def hold_of(db: sqlite_utils.Database, report_id: str) -> Hold | None:
    row = db.execute(
        "SELECT h.reason, h.held_at, coalesce(u.display_name, 'a member of staff') AS by FROM report_holds h "
        "LEFT JOIN users u ON CAST(u.id AS TEXT) = h.held_by WHERE h.report_id = ?",
        [report_id],
    ).fetchone()
    return Hold(row["reason"], row["by"], row["held_at"]) if row else None
