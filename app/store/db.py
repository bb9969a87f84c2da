"""The phone's SQLite database and photo folder, under FLET_APP_STORAGE_DATA.

One connection, guarded by a lock: Flet runs synchronous handlers on worker threads, and a phone has one
farmer, so a single writer is never the bottleneck. WAL with `synchronous=FULL` means a commit that returned
survives the app being killed or the battery dying, which is what "Saved on this phone" promises.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from app.store.migrations import migrate

DB_NAME = "hedgerow.db"
PHOTO_DIR = "photos"
BUSY_TIMEOUT_MS = 10_000


def connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return sqlite_utils.Database(conn)


class Store:
    """The open database and the data directory. Use `read()` / `write()` around every access."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.photo_dir = self.data_dir / PHOTO_DIR
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.db = connect(self.data_dir / DB_NAME)
        self._lock = threading.RLock()
        with self._lock:
            migrate(self.db)

    @contextmanager
    def read(self) -> Iterator[sqlite_utils.Database]:
        with self._lock:
            yield self.db

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One transaction, taking the write lock at BEGIN: everything inside commits together or not at all."""
        with self._lock:
            if self.db.conn.in_transaction:  # nested: part of the outer transaction
                yield self.db
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                raise
            self.db.conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.db.close()
