"""Online backup: SQLite's backup API gives a consistent copy while the server keeps writing."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from backend.settings import Settings


def backup(settings: Settings, dest: Path, progress: bool = False) -> str:
    """Copy the database (consistent, via the backup API) and then the photo store into `dest`.

    Photos are stored once under their SHA-256 and never change, so copying them after the database
    gives every photo the copied database mentions (and perhaps a few newer ones, which is harmless).
    """
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} is not empty; choose a new directory")
    dest.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(settings.db_path), timeout=30)
    target = sqlite3.connect(str(dest / "hedgerow.db"))

    def report(status: int, remaining: int, total: int) -> None:
        if progress and total:
            done = total - remaining
            print(f"\rdatabase: {done}/{total} pages ({100 * done // total}%)", end="", file=sys.stderr)

    with target:
        # One step, so the copy reads a single snapshot. Copied in parts, it would start again from the beginning
        # whenever the server committed in between, which on a busy server can go on for ever; in WAL mode this
        # one long read does not hold up the server's writes.
        source.backup(target, pages=-1, progress=report)
    if progress:
        print(file=sys.stderr)
    check = target.execute("PRAGMA integrity_check").fetchone()[0]
    reports = target.execute("SELECT count(*) FROM reports").fetchone()[0]
    target.close()
    source.close()
    if check != "ok":
        raise SystemExit(f"the copy failed its integrity check: {check}")
    photos = 0
    if settings.photos_dir.exists():
        for path in sorted(settings.photos_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                out = dest / "photos" / path.relative_to(settings.photos_dir)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out)
                photos += 1
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    (dest / "BACKUP.txt").write_text(
        f"Hedgerow backup taken {stamp}\nreports: {reports}\nphoto files: {photos}\n"
        "Restore: stop the backend, copy hedgerow.db and photos/ into HEDGEROW_DATA_DIR, start it again.\n"
    )
    return f"backup in {dest}: {reports} reports, {photos} photo files, integrity ok"
