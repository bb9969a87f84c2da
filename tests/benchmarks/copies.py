"""Many reports from a few: copies of the demo generator's reports, each moved back in time, with fresh ids.

The demo generator puts every report through the real intake and event log (a few hundred a second); a million
that way takes hours. The benchmarks that need a million seed a share of them with the generator and copy the
rest here, in SQL: each report with its events (flags left out, for a sweep to raise again), 101 calls,
vehicles, declared photos (the same stored files) and nearby forces, so that every trigger-kept table (search
text, places, clocks, queue due times, summary facts) is filled by the database as for a report that arrived.
Copy k gets ids beginning with k as eight digits and every time moved back k times `step`. After copying, the
caller sweeps once so that the copies' clocks are computed and their flags raised.
"""

from __future__ import annotations

import sys

import sqlite_utils

from backend.writes import write

_REPORT_TIMES = {"occurred_at", "occurred_until", "created_at", "sent_at", "received_at", "updated_at"}
_REPORT_TIMES |= {"acknowledged_at", "closed_at"}


def _shift(column: str) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column}, :back)"


def _new_id(column: str) -> str:
    return f"printf('%08d', :k) || substr({column}, 9)"


def _statements(db: sqlite_utils.Database) -> list[str]:
    columns = [r[1] for r in db.execute("PRAGMA table_info(reports)").fetchall()]

    def report_value(column: str) -> str:
        if column == "id":
            return _new_id("id")
        return _shift(column) if column in _REPORT_TIMES else column

    originals = "SELECT id FROM reports WHERE rowid <= :originals"
    photo_columns = [r[1] for r in db.execute("PRAGMA table_info(report_photos)").fetchall()]

    def photo_value(column: str) -> str:
        if column == "report_id":
            return _new_id("report_id")
        return _shift(column) if column.endswith("_at") else column

    return [
        f"INSERT INTO reports ({', '.join(columns)}) SELECT {', '.join(report_value(c) for c in columns)} "
        "FROM reports WHERE rowid <= :originals",
        "INSERT INTO events (report_id, kind, at, actor_kind, actor_id, public, data, idem_key) "
        f"SELECT {_new_id('report_id')}, kind, {_shift('at')}, actor_kind, actor_id, public, data, idem_key "
        "FROM events WHERE id <= :events AND kind NOT IN ('flag_raised', 'flag_cleared')",
        "INSERT INTO report_calls (report_id, idx, channel, called_at, waited_s, outcome, reference) "
        f"SELECT {_new_id('report_id')}, idx, channel, {_shift('called_at')}, waited_s, outcome, reference "
        f"FROM report_calls WHERE report_id IN ({originals})",
        f"INSERT INTO report_vehicles (report_id, idx, registration) SELECT {_new_id('report_id')}, idx, "
        f"registration FROM report_vehicles WHERE report_id IN ({originals})",
        f"INSERT INTO report_photos ({', '.join(photo_columns)}) SELECT "
        f"{', '.join(photo_value(c) for c in photo_columns)} FROM report_photos WHERE report_id IN ({originals})",
        f"INSERT INTO report_nearby_forces (report_id, force, distance_m) SELECT {_new_id('report_id')}, force, "
        f"distance_m FROM report_nearby_forces WHERE report_id IN ({originals})",
    ]


def copy_reports(db: sqlite_utils.Database, copies: int, step: str, progress: bool = False) -> int:
    """Make `copies - 1` copies of every report, copy k moved back k times `step` (an SQLite modifier such as
    '7 minutes' or '9 days'). Returns the number of reports now held."""
    statements = _statements(db)
    originals = db.execute("SELECT max(rowid) FROM reports").fetchone()[0]
    last_event = db.execute("SELECT max(id) FROM events").fetchone()[0]
    amount, unit = step.split()
    for k in range(1, copies):
        params = {"k": k, "back": f"-{int(amount) * k} {unit}", "originals": originals, "events": last_event}
        with write(db):
            for statement in statements:
                db.execute(statement, params)
        if progress:
            print(f"  copy {k}/{copies - 1}", file=sys.stderr, flush=True)
    return db.execute("SELECT count(*) FROM reports").fetchone()[0]
