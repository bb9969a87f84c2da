"""Photo files and their rows. Files are written (atomically) before their row: a row always has its files.

After a crash there may be files with no row (written, then killed before the commit) and temporary files;
`sweep_orphans` removes both when the app opens.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.services.photos import ProcessedPhoto
from app.store.db import Store
from core.files import write_atomic
from wire.reports import MAX_PHOTOS_PER_REPORT

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/mpo": "jpg", "image/gif": "gif"}


class TooManyPhotos(ValueError):
    pass


@dataclass(frozen=True)
class StoredPhoto:
    id: str
    original_path: str
    upload_path: str
    original_sha256: str
    upload_sha256: str
    upload_bytes: int
    content_type: str
    width: int
    height: int
    taken_at: str | None
    gps_lat: float | None
    gps_lon: float | None


_COLUMNS = (
    "id, original_path, upload_path, original_sha256, upload_sha256, upload_bytes, content_type, width, height, "
    "taken_at, gps_lat, gps_lon"
)


def add_draft_photo(store: Store, draft_id: str, photo_id: str, photo: ProcessedPhoto, now: datetime) -> StoredPhoto:
    """Keep a processed photo for the draft: both files first, then the row."""
    ext = _EXTENSIONS.get(photo.original_content_type, "bin")
    original_rel = f"{store.photo_dir.name}/{photo_id}.original.{ext}"
    upload_rel = f"{store.photo_dir.name}/{photo_id}.jpg"
    with store.read() as db:
        count = db.execute("SELECT count(*) FROM photos WHERE draft_id = ?", [draft_id]).fetchone()[0]
    if count >= MAX_PHOTOS_PER_REPORT:
        raise TooManyPhotos(f"A report can have up to {MAX_PHOTOS_PER_REPORT} photos")
    write_atomic(store.data_dir / original_rel, photo.original)
    write_atomic(store.data_dir / upload_rel, photo.upload)
    with store.write() as db:
        position = db.execute(
            "SELECT COALESCE(max(position), -1) + 1 FROM photos WHERE draft_id = ?", [draft_id]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO photos (id, draft_id, position, original_path, original_sha256, original_content_type, "
            "original_bytes, upload_path, upload_sha256, upload_bytes, content_type, width, height, taken_at, "
            "gps_lat, gps_lon, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                photo_id,
                draft_id,
                position,
                original_rel,
                photo.original_sha256,
                photo.original_content_type,
                len(photo.original),
                upload_rel,
                photo.upload_sha256,
                len(photo.upload),
                photo.upload_content_type,
                photo.width,
                photo.height,
                photo.taken_at.isoformat() if photo.taken_at else None,
                photo.gps_lat,
                photo.gps_lon,
                now.isoformat(),
            ],
        )
    return photo_by_id(store, photo_id)


def photo_by_id(store: Store, photo_id: str) -> StoredPhoto:
    with store.read() as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM photos WHERE id = ?", [photo_id]).fetchone()
    if row is None:
        raise KeyError(photo_id)
    return StoredPhoto(**dict(row))


def draft_photos(store: Store, draft_id: str) -> list[StoredPhoto]:
    with store.read() as db:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM photos WHERE draft_id = ? AND report_id IS NULL ORDER BY position", [draft_id]
        ).fetchall()
    return [StoredPhoto(**dict(r)) for r in rows]


def report_photos(store: Store, report_id: str) -> list[StoredPhoto]:
    with store.read() as db:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM photos WHERE report_id = ? ORDER BY position", [report_id]
        ).fetchall()
    return [StoredPhoto(**dict(r)) for r in rows]


def remove_draft_photo(store: Store, draft_id: str, photo_id: str) -> None:
    """Take a photo out of the draft: the row goes in a transaction, then the files."""
    with store.write() as db:
        row = db.execute(
            "SELECT original_path, upload_path FROM photos WHERE id = ? AND draft_id = ? AND report_id IS NULL",
            [photo_id, draft_id],
        ).fetchone()
        if row is None:
            return
        db.execute("DELETE FROM photos WHERE id = ?", [photo_id])
    delete_files(store, list(row))


def delete_files(store: Store, relative_paths: list[str]) -> None:
    for rel in relative_paths:
        with contextlib.suppress(FileNotFoundError):
            (store.data_dir / rel).unlink()


def read_upload(store: Store, photo: StoredPhoto) -> bytes:
    return (store.data_dir / photo.upload_path).read_bytes()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sweep_orphans(store: Store) -> int:
    """Delete temporary files and photo files that no row names (left by a crash); returns how many."""
    with store.read() as db:
        known = {p for row in db.execute("SELECT original_path, upload_path FROM photos") for p in row}
    removed = 0
    for path in store.photo_dir.iterdir():
        rel = f"{store.photo_dir.name}/{path.name}"
        if path.is_file() and (path.name.endswith(".tmp") or rel not in known):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
