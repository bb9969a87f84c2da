"""The queue of photo files to copy to (or remove from) the replica store, filled by m0013's triggers.

A row is taken in id order; a failure keeps it, counts the attempt and sets when to try again, so one photo the
store refuses does not hold up the others. Removals wait until the replica's own retention has passed (a restore
to a moment before the purge must still find the photo), and are dropped when the photo has been stored again
since (content-addressed: the same bytes came back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from backend.writes import write

# Seconds before the first retry; doubled at each failure, up to an hour.
FIRST_RETRY_S = 2.0
LONGEST_RETRY_S = 3600.0
# Jobs taken at a time.
BATCH = 50


@dataclass(frozen=True)
class Job:
    id: int
    sha256: str
    action: str  # 'copy' or 'remove'
    queued_at: datetime
    attempts: int
    content_type: str  # the original's type (its file name's extension)


@dataclass(frozen=True)
class Backlog:
    waiting: int  # copies not yet done
    oldest_queued_at: datetime | None
    failing: int  # copies that failed at least once and are waiting to be tried again
    last_error: str | None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def stamp(moment: datetime) -> str:
    """The form m0013's triggers write (milliseconds, UTC, Z), so that times compare as text in SQL."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def due(db: sqlite_utils.Database, now: datetime, remove_after: timedelta, limit: int = BATCH) -> list[Job]:
    """The jobs to run now, oldest first: copies whose retry time has come, and removals past `remove_after`."""
    rows = db.execute(
        "SELECT id, sha256, action, queued_at, attempts, content_type FROM photo_replication "
        "WHERE done_at IS NULL AND (next_try_at IS NULL OR next_try_at <= ?) "
        "AND (action = 'copy' OR queued_at <= ?) ORDER BY id LIMIT ?",
        [stamp(now), stamp(now - remove_after), limit],
    ).fetchall()
    return [
        Job(r["id"], r["sha256"], r["action"], datetime.fromisoformat(r["queued_at"]), r["attempts"], r["content_type"])
        for r in rows
    ]


def finish(db: sqlite_utils.Database, done: list[int], failed: dict[int, str], now: datetime) -> None:
    """Record the jobs done, and for each failed one its error and when to try again (backing off)."""
    if not done and not failed:
        return
    with write(db):
        db.conn.executemany(
            "UPDATE photo_replication SET done_at = ?, last_error = NULL WHERE id = ?", [(stamp(now), i) for i in done]
        )
        # A purged photo gone from the replica too: its rows are the last trace of its hash, so they go.
        db.conn.executemany(
            "DELETE FROM photo_replication WHERE sha256 = (SELECT sha256 FROM photo_replication WHERE id = ? "
            "AND action = 'remove') AND id <= ?",
            [(i, i) for i in done],
        )
        for job_id, error in failed.items():
            attempts = db.execute("SELECT attempts FROM photo_replication WHERE id = ?", [job_id]).fetchone()[0]
            wait = min(FIRST_RETRY_S * 2**attempts, LONGEST_RETRY_S)
            db.execute(
                "UPDATE photo_replication SET attempts = attempts + 1, last_error = ?, next_try_at = ? WHERE id = ?",
                [error[:500], stamp(now + timedelta(seconds=wait)), job_id],
            )


def held(db: sqlite_utils.Database, sha256: str) -> bool:
    """Whether the photo is held (stored again since a removal was queued, or not yet erased)."""
    return db.execute("SELECT 1 FROM photo_blobs WHERE sha256 = ?", [sha256]).fetchone() is not None


def backlog(db: sqlite_utils.Database) -> Backlog:
    row = db.execute(
        "SELECT count(*), min(queued_at), sum(attempts > 0) FROM photo_replication "
        "WHERE done_at IS NULL AND action = 'copy'"
    ).fetchone()
    error = db.execute(
        "SELECT last_error FROM photo_replication WHERE done_at IS NULL AND last_error IS NOT NULL "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return Backlog(row[0], _when(row[1]), row[2] or 0, error[0] if error else None)
