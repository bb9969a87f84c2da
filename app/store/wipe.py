"""The farmer's "Delete everything on this phone", and what it would lose.

Every row of every table goes (the farmer's details, reports, photos, drafts, places, the outbox, settings), in
one transaction; then the database is rewritten (VACUUM) and its WAL emptied, so the deleted rows do not linger
in free pages; then the photo files, downloads of the farmer's data and half-received files. Only the record of
the migrations stays, so the empty database is still of the current schema. What the police received stays with
the police.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from app.store.db import Store

EXPORTS_DIR = "exports"  # where "Download my data" saves the ZIP
INCOMING_DIR = "incoming"  # photos the browser streamed in (app/main.py)
_KEPT_TABLES = ("_migrations",)


@dataclass(frozen=True)
class Unsent:
    """What the police have not received yet, and would never get if the phone's data were deleted now."""

    reports: int
    photos: int
    draft: bool  # a report still being written


def unsent(store: Store) -> Unsent:
    with store.read() as db:
        reports = db.execute("SELECT count(*) FROM reports WHERE sent_at IS NULL").fetchone()[0]
        photos = db.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'photo' AND state != 'sent' AND report_id IN "
            "(SELECT id FROM reports WHERE sent_at IS NOT NULL)"
        ).fetchone()[0]
        draft = db.execute("SELECT 1 FROM drafts LIMIT 1").fetchone() is not None
    return Unsent(int(reports), int(photos), draft)


def wipe_phone(store: Store) -> None:
    """Delete everything Hedgerow keeps on this phone."""
    with store.write() as db:
        db.execute("PRAGMA defer_foreign_keys = ON")  # every table empties: no order to keep between them
        tables = [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        for table in tables:
            if table not in _KEPT_TABLES:
                db.execute(f'DELETE FROM "{table}"')
        db.execute("DELETE FROM sqlite_sequence")
    with store.read() as db:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for folder in (store.photo_dir, store.data_dir / EXPORTS_DIR, store.data_dir / INCOMING_DIR):
        _empty(folder)


def _empty(folder: Path) -> None:
    """Remove what the folder holds and keep the folder (the app and Flet's upload endpoint write there)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
