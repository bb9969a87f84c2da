"""The backend's SQLite database: WAL with full durability, one connection per thread, migrations."""

from __future__ import annotations

import queue
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from backend.migrations import migrate

BUSY_TIMEOUT_MS = 10_000

# Databases whose checkpoints Litestream makes, while it replicates them (backend/ops/replication).
_litestream_checkpoints: set[str] = set()


def leave_checkpoints_to_litestream(path: Path | str) -> None:
    """From now on, this process's connections to `path` never checkpoint on their own.

    Litestream copies WAL frames to the replica before they are checkpointed into the database file, and holds
    a read transaction between its own checkpoints to stop others; under a steady stream of small commits an
    application's automatic checkpoint can still slip in between and make it miss WAL frames, after which it
    starts over with a full snapshot. Its guidance is to run the application with `PRAGMA wal_autocheckpoint =
    0` and let Litestream checkpoint (https://litestream.io/tips/#disable-autocheckpoints-for-high-write-load-servers;
    it does: PASSIVE at 1000 pages and every minute, TRUNCATE past ~500 MB). Its brief write lock while it
    checkpoints is what BUSY_TIMEOUT_MS waits out (the same page's "Busy timeout" asks for at least 5 s).
    If Litestream stays down, the replication monitor checkpoints instead, so the WAL cannot grow for ever.
    """
    _litestream_checkpoints.add(str(Path(path).resolve()))


def connect(path: Path | str) -> sqlite_utils.Database:
    """Open the database with the settings every connection needs.

    `synchronous=FULL` in WAL mode: a commit that returned survives a power cut, which is what a 201
    promises the farmer.
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    # Set before the first write (journal_mode=WAL is one): a new database can hand the pages a purge frees back to
    # the file system (backend/services/retention/purge.py). A database made before keeps its mode until a VACUUM
    # converts it (docs/data-protection.md). Only on a new, empty file: on a database in use the pragma takes a
    # lock of its own on every connection, and twenty connections opened at once then waited on each other.
    if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Savepoint journals and sorts in memory: a batch of intake's savepoints otherwise spills its journal to a
    # temporary file (open, write, unlink) on every group commit.
    conn.execute("PRAGMA temp_store=MEMORY")
    if _litestream_checkpoints and str(Path(path).resolve()) in _litestream_checkpoints:
        conn.execute("PRAGMA wal_autocheckpoint=0")
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

    The low level under `backend.writes.write`, which is what everything else calls: a write there also computes
    the response clocks of the reports it changed. Only backend/writes.py uses this directly.

    A deferred transaction that reads and then writes can fail with SQLITE_BUSY when another writer
    committed in between; taking the lock first makes check-then-insert (idempotent PUTs) race-free.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    # Writers in this process queue on a lock instead of in SQLite's busy handler, which sleeps in growing
    # steps (up to 100 ms) and so turns contention into long tail latency. BEGIN IMMEDIATE still guards
    # against writers in other processes (the CLI, a second server).
    with writer_lock(db):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")


_paths: weakref.WeakKeyDictionary[sqlite_utils.Database, str] = weakref.WeakKeyDictionary()


def db_path(db: sqlite_utils.Database) -> str:
    """The file behind a connection ('' in memory): the key of per-database caches. Asked of SQLite once per
    connection, as hot paths (intake, every view) look it up several times per request."""
    path = _paths.get(db)
    if path is None:
        path = _paths[db] = str(db.execute("PRAGMA database_list").fetchone()[2])
    return path


_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def writer_lock(db: sqlite_utils.Database) -> threading.Lock:
    """The lock this process's writers of the file queue on: `write_transaction`'s and the group-commit writer's."""
    path = db_path(db)
    with _writer_locks_guard:
        return _writer_locks.setdefault(path, threading.Lock())


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
