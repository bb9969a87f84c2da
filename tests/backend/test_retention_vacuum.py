"""The purge hands the space it frees back to the file system, on databases that allow it.

A database made now is in auto_vacuum=INCREMENTAL mode (backend/db.py sets it before the first write), and the purge
ends with an incremental vacuum in steps, then a checkpoint, so the file itself shrinks. A database made before
keeps auto_vacuum=NONE (a setting cannot change it without a VACUUM): the purge says so, and the conversion
docs/data-protection.md gives turns it into one whose next purge shrinks it. Small demo databases, real files.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.db import connect, open_and_migrate
from backend.services.demo import generator
from backend.services.retention import purge
from backend.settings import Settings

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, webhook_url="", smtp_host="")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 demo reports (the real intake and event log), checkpointed into one file to copy for each test."""
    settings = _settings(tmp_path_factory.mktemp("demo"))
    db = open_and_migrate(settings.db_path)
    generator.seed(db, settings, reports=80, seed=7, progress=False, now=NOW)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return settings.db_path


def _expire_closed_reports(db_path: Path) -> int:
    """Every closed report closed seven years ago (past the six-year default); returns how many."""
    conn = sqlite3.connect(db_path)
    with conn:
        n = conn.execute("UPDATE reports SET closed_at = '2019-05-01T10:00:00Z' WHERE status = 'closed'").rowcount
    conn.close()
    return n


def _pages(db_path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db_path)
    pages, free, size = (
        conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size")
    )
    conn.close()
    return pages, free, size


def _purge(data_dir: Path) -> purge.PurgeResult:
    settings = _settings(data_dir)
    db = connect(settings.db_path)
    try:
        return purge.run(db, settings, NOW)
    finally:
        db.close()


def test_a_new_database_is_made_in_incremental_auto_vacuum_mode(tmp_path: Path) -> None:
    db = open_and_migrate(tmp_path / "hedgerow.db")
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_purge_hands_every_freed_page_back_and_the_file_shrinks(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(demo_db, tmp_path / "hedgerow.db")
    expired = _expire_closed_reports(tmp_path / "hedgerow.db")
    pages_before, free_before, page_size = _pages(tmp_path / "hedgerow.db")
    assert expired > 20 and free_before == 0
    monkeypatch.setattr(purge, "VACUUM_STEP_PAGES", 3)  # many steps, as a large purge takes

    settings = _settings(tmp_path)
    db = connect(settings.db_path)
    result = purge.run(db, settings, NOW)
    # While the connection is still open: the purge's own checkpoint came after the vacuum and cut the file.
    on_disk = settings.db_path.stat().st_size, (tmp_path / "hedgerow.db-wal").stat().st_size
    db.close()

    assert sum(d.count for d in result.items if d.kind == "report") == expired
    pages_after, free_after, _ = _pages(tmp_path / "hedgerow.db")
    assert free_after == 0
    assert result.pages_returned == pages_before - pages_after > 3
    assert on_disk == (pages_after * page_size, 0)
    mib = result.pages_returned * page_size / 2**20
    steps = math.ceil(result.pages_returned / 3)
    assert (
        f"incremental vacuum: {result.pages_returned} free page(s) ({mib:.1f} MiB) returned to the file system in "
        f"{steps} step(s)"
    ) in result.report()


def _made_before(demo_db: Path, data_dir: Path) -> Path:
    """The demo database as an older Hedgerow made it: the same rows, auto_vacuum=NONE."""
    conn = sqlite3.connect(demo_db)
    conn.execute("PRAGMA auto_vacuum=NONE")
    conn.execute("VACUUM INTO ?", [str(data_dir / "hedgerow.db")])
    conn.close()
    return data_dir / "hedgerow.db"


def test_a_database_made_before_keeps_its_size_until_converted_as_the_docs_say(demo_db: Path, tmp_path: Path) -> None:
    old, converted = tmp_path / "old", tmp_path / "converted"
    for data_dir in (old, converted):
        data_dir.mkdir()
        _expire_closed_reports(_made_before(demo_db, data_dir))
    open_and_migrate(old / "hedgerow.db").close()  # opening it with this version does not change its mode
    pages_before, _, _ = _pages(old / "hedgerow.db")

    result = _purge(old)

    pages_after, free_after, _ = _pages(old / "hedgerow.db")
    assert (pages_after, result.pages_returned) == (pages_before, 0) and free_after > 0
    assert "auto_vacuum is not incremental on this database" in result.report()

    # docs/data-protection.md: with the server stopped, `PRAGMA auto_vacuum=INCREMENTAL; VACUUM;` once.
    conn = sqlite3.connect(converted / "hedgerow.db")
    conn.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;")
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    conn.close()
    converted_pages, _, _ = _pages(converted / "hedgerow.db")
    result = _purge(converted)
    assert result.pages_returned > 0
    assert _pages(converted / "hedgerow.db")[:2] == (converted_pages - result.pages_returned, 0)
