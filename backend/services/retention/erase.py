"""Erase one report from the database so that nothing personal of it is left; its summary facts stay, unnamed.

The report's own rows go (events, vehicles, calls, photos declared, flags, partner request, notifications,
access-log entries), and with the report row the triggers of m0002/m0004 take its clocks, its free-text index
entry (a contentless FTS5 'delete' with the original values), its R*Tree point and its nearby forces. Its row in
`summary_facts` (the anonymous facts the NFU summaries count) is kept under a random name instead of the
report's id, before the report goes, so the `summary_facts_gone` trigger finds nothing to remove and a summary
already published for a past period reads the same afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

# Tables holding a report's rows by `report_id`, emptied before the report itself (foreign keys point at it).
# report_flags first: its trigger looks up the report's force to keep the console's counts.
OWN_ROWS = (
    "report_flags",
    "events",
    "report_vehicles",
    "report_calls",
    "report_photos",
    "partner_requests",
    "notifications",
    "staff_reads",
)


@dataclass(frozen=True)
class PhotoFile:
    sha256: str
    content_type: str


def erase_report(db: sqlite_utils.Database, report_id: str) -> list[PhotoFile]:
    """Delete the report and everything of it; returns the photos no other report holds, whose files the caller
    deletes once the transaction is committed. Call inside a write transaction, with the report not held."""
    hashes = [r[0] for r in db.execute("SELECT DISTINCT sha256 FROM report_photos WHERE report_id = ?", [report_id])]
    db.execute(
        "UPDATE summary_facts SET report_id = 'purged-' || lower(hex(randomblob(12))) WHERE report_id = ?",
        [report_id],
    )
    for table in OWN_ROWS:
        db.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])
    freed = []
    for sha in hashes:
        if db.execute("SELECT 1 FROM report_photos WHERE sha256 = ? LIMIT 1", [sha]).fetchone():
            continue  # the same photo sent with a report that is kept
        blob = db.execute("SELECT content_type FROM photo_blobs WHERE sha256 = ?", [sha]).fetchone()
        db.execute("DELETE FROM photo_blobs WHERE sha256 = ?", [sha])
        # Its copy to the replica is moot now; the trigger has queued the replica's copy for removal instead.
        db.execute("DELETE FROM photo_replication WHERE sha256 = ? AND action = 'copy'", [sha])
        freed.append(PhotoFile(sha, blob[0] if blob else "image/jpeg"))
    return freed
