"""The flags the sweep has raised on a report and that no action has settled yet (see clocks.policy.FLAGS)."""

from __future__ import annotations

import sqlite_utils


def raised_flags(db: sqlite_utils.Database, report_id: str) -> list[str]:
    """The report's raised flags, alphabetically."""
    return [r[0] for r in db.execute("SELECT flag FROM report_flags WHERE report_id = ? ORDER BY flag", [report_id])]
