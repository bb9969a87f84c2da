"""Restore drills (`hedgerow drill`) as the admin page shows them, and what a drill measures in a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import iso
from backend.writes import write


@dataclass(frozen=True)
class Drill:
    started_at: datetime
    replica: str
    ok: bool
    recovery_point_s: float | None  # the newest restored report was this much older than the live newest
    recovery_time_s: float  # from the start of the restore to a checked, usable data directory
    reports: int | None
    newest_report_at: str | None
    photos_ok: int | None
    photos_missing: int | None
    problems: str = ""


def record(db: sqlite_utils.Database, drill: Drill) -> None:
    with write(db):
        db.execute(
            "INSERT INTO replication_drills (started_at, replica, ok, recovery_point_s, recovery_time_s, reports, "
            "newest_report_at, photos_ok, photos_missing, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                iso(drill.started_at),
                drill.replica,
                int(drill.ok),
                drill.recovery_point_s,
                drill.recovery_time_s,
                drill.reports,
                drill.newest_report_at,
                drill.photos_ok,
                drill.photos_missing,
                drill.problems,
            ],
        )


def recent(db: sqlite_utils.Database, limit: int = 12) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM replication_drills ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Contents:
    """What a restored (or live) database holds, as a restore reports it."""

    reports: int
    newest_report_at: str | None
    photos: list[tuple[str, str]]  # (sha256, content_type) of every photo a report holds


def contents(db: sqlite_utils.Database) -> Contents:
    reports, newest = db.execute("SELECT count(*), max(received_at) FROM reports").fetchone()
    photos = db.execute(
        "SELECT DISTINCT sha256, content_type FROM report_photos WHERE received_at IS NOT NULL ORDER BY sha256"
    ).fetchall()
    return Contents(reports, newest, [(r[0], r[1]) for r in photos])


def newest_report_at(db: sqlite_utils.Database) -> str | None:
    return db.execute("SELECT max(received_at) FROM reports").fetchone()[0]
