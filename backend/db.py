"""The backend's SQLite database: WAL with full durability, one connection per thread, migrations."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from backend.migrations import migrate

BUSY_TIMEOUT_MS = 10_000
T = TypeVar("T")


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
    # Writers in this process queue on a lock instead of in SQLite's busy handler, which sleeps in growing
    # steps (up to 100 ms) and so turns contention into long tail latency. BEGIN IMMEDIATE still guards
    # against writers in other processes (the CLI, a second server).
    with _writer_lock(db):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")


_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(db: sqlite_utils.Database) -> threading.Lock:
    path = db.execute("PRAGMA database_list").fetchone()[2]
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


class GroupCommitWriter:
    """One writer thread that commits queued writes together: many reports, one fsync.

    Under load, requests that arrive while a commit is being made wait for the next one, and all of them are
    written in a single transaction, each inside its own savepoint so that one failing write does not undo the
    others. `run` returns only after the commit that holds the write, so a 201 still means durable.
    """

    MAX_BATCH = 256

    def __init__(
        self,
        path: Path,
        batch_context: Callable[[sqlite_utils.Database], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.db = connect(path)
        # Work done once per batch around its jobs, inside the transaction (e.g. computing every new report's
        # clocks in one bulk pass instead of one by one).
        self._batch_context = batch_context or (lambda db: nullcontext())
        self._jobs: queue.SimpleQueue[tuple[Callable[[sqlite_utils.Database], Any], Future[Any]] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._loop, name="hedgerow-writer", daemon=True)
        self._thread.start()

    def run(self, job: Callable[[sqlite_utils.Database], T]) -> T:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future.result()

    async def run_async(self, job: Callable[[sqlite_utils.Database], T]) -> T:
        """`run` for a coroutine: waits for the commit without holding a thread of the server's pool."""
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
        self.db.close()

    def _loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._jobs.put(None)
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[sqlite_utils.Database], Any], Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        conn = self.db.conn
        try:
            with _writer_lock(self.db):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    with self._batch_context(self.db):
                        self._run_jobs(batch, outcomes)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except Exception as exc:  # the commit itself failed: nothing in the batch is durable
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result, error in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _run_jobs(
        self,
        batch: list[tuple[Callable[[sqlite_utils.Database], Any], Future[Any]]],
        outcomes: list[tuple[Future[Any], Any, BaseException | None]],
    ) -> None:
        conn = self.db.conn
        for i, (job, future) in enumerate(batch):
            conn.execute(f"SAVEPOINT job{i}")
            try:
                result = job(self.db)
            except Exception as exc:
                conn.execute(f"ROLLBACK TO job{i}")
                outcomes.append((future, None, exc))
            else:
                outcomes.append((future, result, None))
            conn.execute(f"RELEASE job{i}")
