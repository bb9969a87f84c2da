"""Erase one report from the database so that nothing personal of it is left; its summary facts stay, unnamed.

The report's own rows go (events, vehicles, calls, photos declared, flags, partner request, notifications,
access-log entries), and with the report row the triggers of m0002/m0004 take its clocks, its free-text index
entry (a contentless FTS5 'delete' with the original values), its R*Tree point and its nearby forces. Its row in
`summary_facts` (the anonymous facts the NFU summaries count) is kept under a random name instead of the
report's id, before the report goes, so the `summary_facts_gone` trigger finds nothing to remove and a summary
already published for a past period reads the same afterwards.

A farmer's contact details are erased at their request the same way, without the reports (`erase_contact`), and
both run with `secure_deletes` so that what was removed is overwritten on disk, not only unlinked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from backend.security import iso
from backend.services.alerts import delivery
from core.uktime import LONDON

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
    _unname_summary_fact(db, report_id)
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


_RENAME_FACT = "UPDATE summary_facts SET report_id = 'purged-' || lower(hex(randomblob(12))) WHERE "


def _unname_summary_fact(db: sqlite_utils.Database, report_id: str) -> None:
    """Keep the report's summary fact under a random name. Found by its whole key (area, category, UK month,
    receipt second, report), the way the summaries' own trigger finds it: by the report id alone it was a scan of
    every fact, once per purged report. Should the month worked out here ever differ from the migration's (it
    follows the same UK clock change rule), the scan still finds it."""
    row = db.execute("SELECT area_id, category, received_at FROM reports WHERE id = ?", [report_id]).fetchone()
    if row is None or row["area_id"] is None:
        return  # never routed: never counted
    received = datetime.fromisoformat(row["received_at"])
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    local = received.astimezone(LONDON)
    key = [row["area_id"], row["category"], local.year * 100 + local.month, int(received.timestamp()), report_id]
    renamed = db.execute(
        _RENAME_FACT + "area_id = ? AND category = ? AND month = ? AND received_s = ? AND report_id = ?", key
    ).rowcount
    if not renamed:
        db.execute(_RENAME_FACT + "report_id = ?", [report_id])


# A device's contact details: the one table that holds them (report_views.reporter reads them from there alone).
# name and phone are NOT NULL in m0001, so they are blanked; the others are emptied.
CONTACT_COLUMNS = ("name", "phone", "email", "farm_name", "postcode")


def erase_contact(db: sqlite_utils.Database, device_id: str, at: datetime) -> bool:
    """Blank a phone's contact details and note when; False when they were erased before (nothing changes).
    Call inside a write transaction, under `secure_deletes`. The alert outbox forgets the number and address too,
    and the phone's alerts by SMS or email stop (they would go to nobody); its alerts in the app carry on."""
    found = db.execute(
        "SELECT phone, email FROM devices WHERE id = ? AND contact_erased_at IS NULL", [device_id]
    ).fetchone()
    if found is None:
        return False
    delivery.forget_recipient(db, found[0], found[1], at)
    db.execute("UPDATE alert_subscriptions SET sms = 0, email = 0 WHERE device_id = ?", [device_id])
    changed = db.execute(
        "UPDATE devices SET name = '', phone = '', email = NULL, farm_name = NULL, postcode = NULL, "
        "contact_erased_at = ? WHERE id = ? AND contact_erased_at IS NULL",
        [iso(at), device_id],
    ).rowcount
    return bool(changed)


@contextmanager
def secure_deletes(db: sqlite_utils.Database) -> Iterator[None]:
    """Within the block, what this connection deletes or overwrites is zeroed in the file rather than left in
    free space; the connection's own setting is put back afterwards (it returns to a pool)."""
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        db.execute(f"PRAGMA secure_delete = {int(before)}")


def truncate_wal(db: sqlite_utils.Database) -> bool:
    """Copy the WAL into the database and empty it, so that old versions of changed pages leave the disk; False
    when a reader was busy (the next checkpoint overwrites them)."""
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
