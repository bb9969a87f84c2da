"""The backend's SQLite database: WAL with full durability, one connection per thread, migrations."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from backend.migrations import migrate

BUSY_TIMEOUT_MS = 10_000


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open the database with the settings every connection needs.

    `synchronous=FULL` in WAL mode: a commit that returned survives a power cut, which is what a 201
    promises the farmer.
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.row_factory = sqlite3.Row
    return sqlite_utils.Database(conn)


def open_and_migrate(path: Path | str) -> sqlite_utils.Database:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """`db.atomic()` that takes the write lock at the start (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail with SQLITE_BUSY when another writer
    committed in between; taking the lock first makes check-then-insert (idempotent PUTs) race-free.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


class ConnectionPool:
    """Connections handed out one per request and returned afterwards.

    A request's dependencies and its endpoint may run on different threads of the server's thread pool, so a
    connection cannot be tied to a thread; it is tied to the request instead, and a request uses it
    sequentially.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: queue.SimpleQueue[sqlite_utils.Database] = queue.SimpleQueue()
        self._all: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        open_and_migrate(path).close()

    def acquire(self) -> sqlite_utils.Database:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            db = connect(self.path)
            with self._lock:
                self._all.append(db)
            return db

    def release(self, db: sqlite_utils.Database) -> None:
        if db.conn.in_transaction:  # a request that failed mid-write must not leave its transaction open
            db.conn.execute("ROLLBACK")
        self._idle.put(db)

    @contextmanager
    def connection(self) -> Iterator[sqlite_utils.Database]:
        db = self.acquire()
        try:
            yield db
        finally:
            self.release(db)

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
