"""The purge: apply the retention policy at a moment, record what went, and leave no trace of it on disk.

`hedgerow retention run` and the server's daily job (schedule.py) both call `run`. Reports are erased in
batches, each its own write transaction, so intake waits at most one batch. The connection deletes with
`secure_delete` on (freed space is overwritten with zeros), the free-text index is optimised afterwards (an
FTS5 delete only adds a tombstone until its segments are merged), the freed pages are handed back to the file
system where the database allows it (auto_vacuum=INCREMENTAL, which every database made since has), and the WAL
is checkpointed and truncated, so the words of a purged report are no longer in the database file or its WAL.
Photo files whose last report went are deleted once their transaction committed; uploads by their id in the tus
store.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from backend.db import writer_lock
from backend.security import iso
from backend.services.intake.photos import blob_path
from backend.services.retention import due, erase
from backend.services.retention import policy as retention_policy
from backend.settings import Settings
from backend.tus.store import UploadStore
from backend.writes import write

BATCH = 500
# Free pages handed back per step of the incremental vacuum (8 MiB of 4 KiB pages): a writer waits one step at most.
VACUUM_STEP_PAGES = 2048


@dataclass
class PurgeResult:
    now: datetime
    dry_run: bool
    items: list[due.Due] = field(default_factory=list)
    photos: int = 0
    pages_returned: int = 0  # free pages the incremental vacuum cut off the end of the file
    notes: list[str] = field(default_factory=list)

    def counts(self) -> Counter[tuple[str, str, str | None, str]]:
        found: Counter[tuple[str, str, str | None, str]] = Counter()
        for d in self.items:
            found[(d.kind, d.rule, d.force, d.period)] += d.count
        return found

    def report(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        lines = [f"Retention at {self.now.isoformat()}" + (" (dry run: nothing deleted)" if self.dry_run else "")]
        if self.dry_run:
            for d in self.items:
                if d.kind != "access_log":
                    where = f" ({d.force})" if d.force else ""
                    lines.append(f"  {d.kind} {d.key}{where}: {d.rule}, {d.period} since {d.since}")
        for (kind, rule, force, period), n in sorted(self.counts().items(), key=lambda kv: (kv[0][0], kv[0][1])):
            lines.append(f"{verb} {n} {kind}(s) under {rule} ({period}{', ' + force if force else ''})")
        if not self.items or not any(d.count for d in self.items):
            lines.append(f"{verb} nothing: no record is past its retention period")
        if self.photos:
            lines.append(f"{verb} {self.photos} photo(s), every size")
        lines += self.notes
        return "\n".join(lines)


def plan(db: sqlite_utils.Database, store: UploadStore, now: datetime) -> list[due.Due]:
    retention_policy.sync_defaults(db, now)
    policy = retention_policy.current_policy(db)
    reports = due.reports_due(db, policy, now)
    devices = due.devices_due(db, policy, now, {d.key for d in reports})
    uploads = due.uploads_due(store.all(), policy, now, reports)
    return reports + devices + uploads + [due.access_log_due(db, policy, now)]


def _photo_paths(photos_dir: Path, photo: erase.PhotoFile) -> list[Path]:
    return [
        blob_path(photos_dir, photo.sha256, "original", photo.content_type),
        blob_path(photos_dir, photo.sha256, "display"),
        blob_path(photos_dir, photo.sha256, "thumb"),
    ]


def _still_due(db: sqlite_utils.Database, d: due.Due) -> bool:
    """Checked again inside the batch's transaction: held, reopened or gone since the plan was made."""
    row = db.execute(
        "SELECT closed_at, received_at, area_id, (SELECT 1 FROM report_holds h WHERE h.report_id = r.id) AS held "
        "FROM reports r WHERE id = ?",
        [d.key],
    ).fetchone()
    if row is None or row["held"]:
        return False
    return row["area_id"] is None if d.rule == "unrouted_reports" else row["closed_at"] == d.since


def _erase_reports(db: sqlite_utils.Database, settings: Settings, reports: list[due.Due]) -> tuple[set[str], int]:
    erased: set[str] = set()
    photos = 0
    for start in range(0, len(reports), BATCH):
        freed: list[erase.PhotoFile] = []
        with write(db):
            for d in reports[start : start + BATCH]:
                if _still_due(db, d):
                    freed += erase.erase_report(db, d.key)
                    erased.add(d.key)
            if not settings.replica_url:  # no replica holds a copy to remove: leave no trace of the hash
                for photo in freed:
                    db.execute("DELETE FROM photo_replication WHERE sha256 = ?", [photo.sha256])
        for photo in freed:
            for path in _photo_paths(settings.photos_dir, photo):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
        photos += len(freed)
    return erased, photos


def _erase_devices(db: sqlite_utils.Database, devices: list[due.Due]) -> set[str]:
    gone = set()
    with write(db):
        for d in devices:
            if not db.execute("SELECT 1 FROM reports WHERE device_id = ? LIMIT 1", [d.key]).fetchone():
                db.execute("DELETE FROM devices WHERE id = ? AND kind = 'phone'", [d.key])
                gone.add(d.key)
    return gone


_LOG = "INSERT INTO purge_log (run_at, kind, rule, force, period, count, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)"


def _record(db: sqlite_utils.Database, result: PurgeResult) -> None:
    """One row per kind, rule and force that purged something, and a row of 0 for each rule that did not: the
    record shows the schedule ran. No ids, no names."""
    counts = result.counts()
    run_at, done = iso(result.now), iso(datetime.now(UTC))
    with write(db):
        for (kind, rule, force, period), n in sorted(counts.items(), key=lambda kv: str(kv[0])):
            if n:
                db.execute(_LOG, [run_at, kind, rule, force, period, n, done])
        if result.photos:
            db.execute(_LOG, [run_at, "photo", "with their reports", None, None, result.photos, done])
        ran = {rule for (_, rule, _, _), n in counts.items() if n}
        for rule in retention_policy.RULES:
            if rule.name not in ran:
                db.execute(_LOG, [run_at, "none", rule.name, None, None, 0, done])


def _return_free_pages(db: sqlite_utils.Database) -> tuple[int, int]:
    """Incremental vacuum, a step at a time: move pages from the end of the file into the free ones and cut the end
    off. Returns the number of pages handed back, and of steps."""
    returned = steps = 0
    while free := db.execute("PRAGMA freelist_count").fetchone()[0]:
        # executescript, not execute: sqlite3's execute steps a statement once, and this pragma frees one page per
        # step. Outside a transaction (executescript commits first), so taken in turn with the write path's lock.
        with writer_lock(db):
            db.executescript(f"PRAGMA incremental_vacuum({VACUUM_STEP_PAGES})")
        left = db.execute("PRAGMA freelist_count").fetchone()[0]
        if left >= free:
            break
        returned, steps = returned + free - left, steps + 1
    return returned, steps


def _compact(db: sqlite_utils.Database, reports_gone: bool) -> tuple[list[str], int]:
    """Merge the free-text index (dropping the purged reports' words), hand freed pages back if the database
    allows it, then checkpoint (after the vacuum, so the file shrinks now). Returns notes and pages handed back."""
    notes = []
    if reports_gone:
        with write(db):
            db.execute("INSERT INTO report_text (report_text) VALUES ('optimize')")
    returned = 0
    if db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        returned, steps = _return_free_pages(db)
        mib = returned * db.execute("PRAGMA page_size").fetchone()[0] / 2**20
        notes.append(f"incremental vacuum: {returned} free page(s) ({mib:.1f} MiB) returned to the file system")
        notes[-1] += f" in {steps} step(s)"
    else:
        notes.append(
            "auto_vacuum is not incremental on this database (made before it was the default): freed pages "
            "(overwritten with zeros) are reused rather than returned; see docs/data-protection.md to convert it"
        )
    if not erase.truncate_wal(db):
        notes.append("the WAL could not be truncated now (a reader was busy); the next checkpoint overwrites it")
    return notes, returned


def run(db: sqlite_utils.Database, settings: Settings, now: datetime, dry_run: bool = False) -> PurgeResult:
    """Purge (or with `dry_run`, list) everything past its retention period at `now`."""
    store = UploadStore(settings.uploads_dir, settings.upload_expiry_s)
    items = plan(db, store, now)
    result = PurgeResult(now, dry_run, items)
    if dry_run:
        return result
    with erase.secure_deletes(db):
        reports = [d for d in items if d.kind == "report"]
        erased, result.photos = _erase_reports(db, settings, reports)
        devices = _erase_devices(db, [d for d in items if d.kind == "device"])
        log = next(d for d in items if d.kind == "access_log")
        with write(db):
            db.execute("DELETE FROM staff_reads WHERE at < ?", [log.since])
        for d in items:
            if d.kind == "upload":
                store.delete(d.key)
        result.items = [
            d
            for d in items
            if d.kind in ("upload", "access_log")
            or (d.kind == "report" and d.key in erased)
            or (d.kind == "device" and d.key in devices)
        ]
        _record(db, result)
        result.notes, result.pages_returned = _compact(db, bool(erased))
    return result
