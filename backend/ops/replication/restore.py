"""`hedgerow restore` and `hedgerow drill`: a data directory rebuilt from the replica, checked before it is trusted.

A restore takes the database from Litestream's replica (to a moment, if asked), then every photo the restored
reports hold, then checks: SQLite's integrity check, and each photo's original present with the SHA-256 it is
named by. A drill is a restore into a scratch directory, timed and compared with the live database, and recorded
in it (`replication_drills`) for the admin page.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from backend.db import connect
from backend.ops.replication import litestream
from backend.ops.replication.photos import photo_files
from backend.ops.replication.store import BucketStore, FolderStore, open_store, parse
from backend.services.intake import photos
from backend.services.replication import drills
from backend.settings import Settings

FETCHERS = 8


@dataclass
class Restored:
    data_dir: Path
    seconds: float = 0.0
    # Where the time went: Litestream's restore of the database, the integrity check, fetching the photos.
    database_s: float = 0.0
    check_s: float = 0.0
    photos_s: float = 0.0
    reports: int | None = None
    newest_report_at: str | None = None
    integrity: str | None = None
    photos_ok: int = 0
    photos_missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [
            f"restored into {self.data_dir} in {self.seconds:.1f} s (database {self.database_s:.1f} s, "
            f"integrity check {self.check_s:.1f} s, photos {self.photos_s:.1f} s)",
            f"  reports: {self.reports if self.reports is not None else '-'}"
            + (f", the newest received {self.newest_report_at}" if self.newest_report_at else ""),
            f"  integrity check: {self.integrity or '-'}",
            f"  photos: {self.photos_ok} ok, {len(self.photos_missing)} missing or damaged",
        ]
        lines += [f"    missing: {sha}" for sha in self.photos_missing[:20]]
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        lines.append("restore ok" if self.ok else "restore FAILED")
        return "\n".join(lines)


def _restore_database(store: FolderStore | BucketStore, db_path: Path, at: datetime | None) -> str | None:
    """Litestream's restore into `db_path`; returns what went wrong, or None."""
    with tempfile.TemporaryDirectory(prefix="hedgerow-restore-") as work:
        config = Path(work) / "litestream.yml"
        config.write_text(litestream.config_text(db_path, store, 1.0, 24.0, None))
        args = [litestream.binary(), "restore", "-config", str(config)]
        if at is not None:
            args += ["-timestamp", at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
        done = subprocess.run(
            [*args, str(db_path)], env=litestream.child_env(), capture_output=True, text=True, timeout=3600
        )
    if done.returncode != 0:
        return f"litestream restore failed: {(done.stderr or done.stdout).strip()[-800:]}"
    return None if db_path.exists() else "litestream restore wrote no database"


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _restore_photo(store: FolderStore | BucketStore, photos_dir: Path, sha256: str, content_type: str) -> bool:
    """Fetch a photo's files; True when its original is there with the right hash. A missing display or
    thumbnail copy is made again from the original, as the server made it."""
    files = photo_files(photos_dir, sha256, content_type)
    for key, path in files:
        store.fetch(key, path)
    original = files[0][1]
    if _sha256(original) != sha256:
        original.unlink(missing_ok=True)
        return False
    if not all(path.exists() for _, path in files[1:]):
        data = original.read_bytes()
        photos.store(photos_dir, data, photos.inspect(data, sha256))
    return True


def restore(url: str, endpoint: str, data_dir: Path, at: datetime | None = None) -> Restored:
    """Restore the replica at `url` into `data_dir`, which must be empty (or not exist yet)."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty: restore into a new directory")
    parse(url)  # a bad URL is refused before anything is made
    data_dir.mkdir(parents=True, exist_ok=True)
    result = Restored(data_dir)
    started = time.monotonic()
    store = open_store(url, endpoint)
    db_path = data_dir / "hedgerow.db"
    failure = _restore_database(store, db_path, at)
    result.database_s = time.monotonic() - started
    if failure:
        result.problems.append(failure)
        result.seconds = time.monotonic() - started
        return result
    db = connect(db_path)
    try:
        result.integrity = "; ".join(r[0] for r in db.execute("PRAGMA integrity_check").fetchall())
        result.check_s = time.monotonic() - started - result.database_s
        held = drills.contents(db)
    finally:
        db.close()
    if result.integrity != "ok":
        result.problems.append(f"the integrity check found: {result.integrity[:500]}")
    result.reports, result.newest_report_at = held.reports, held.newest_report_at
    photos_dir = data_dir / "photos"
    fetching = time.monotonic()
    with ThreadPoolExecutor(FETCHERS) as pool:
        found = list(pool.map(lambda p: _restore_photo(store, photos_dir, *p), held.photos))
    result.photos_ok = sum(found)
    result.photos_missing = [sha for (sha, _), ok in zip(held.photos, found, strict=True) if not ok]
    if result.photos_missing:
        result.problems.append(f"{len(result.photos_missing)} photo(s) the reports hold are not on the replica")
    result.photos_s = time.monotonic() - fetching
    result.seconds = time.monotonic() - started
    return result


def _age_s(newer: str | None, older: str | None) -> float | None:
    if not newer or not older:
        return None
    return max(0.0, (datetime.fromisoformat(newer) - datetime.fromisoformat(older)).total_seconds())


def drill(settings: Settings, scratch: Path | None = None, keep: bool = False) -> tuple[drills.Drill, Restored]:
    """Restore the server's replica into `scratch` (a new temporary directory by default), measure it, record it
    in the live database, and delete the restored copy (it holds personal data) unless `keep`."""
    if not settings.replica_url:
        raise ValueError("HEDGEROW_REPLICA_URL is not set: there is no replica to drill")
    target = scratch or Path(tempfile.mkdtemp(prefix="hedgerow-drill-"))
    live = connect(settings.db_path)
    try:
        live_newest = drills.newest_report_at(live)
        started = datetime.now(UTC)
        try:
            restored = restore(settings.replica_url, settings.replica_endpoint, target)
        finally:
            if not keep:
                shutil.rmtree(target, ignore_errors=True)
        drill_row = drills.Drill(
            started_at=started,
            replica=parse(settings.replica_url).shown,
            ok=restored.ok,
            recovery_point_s=_age_s(live_newest, restored.newest_report_at),
            recovery_time_s=round(restored.seconds, 2),
            reports=restored.reports,
            newest_report_at=restored.newest_report_at,
            photos_ok=restored.photos_ok,
            photos_missing=len(restored.photos_missing),
            problems="; ".join(restored.problems),
        )
        drills.record(live, drill_row)
    finally:
        live.close()
    return drill_row, restored
