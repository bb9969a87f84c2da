"""The backend's SQLite database: WAL with full durability, one connection per thread, migrations."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import anyio.from_thread
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
    # Savepoint journals and sorts in memory: a batch of intake's savepoints otherwise spills its journal to a
    # temporary file (open, write, unlink) on every group commit.
    conn.execute("PRAGMA temp_store=MEMORY")
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


def _writer_lock(db: sqlite_utils.Database) -> threading.Lock:
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


class GroupCommitWriter:
    """Writes queued from requests, committed together: many reports, one fsync.

    The jobs run on the event loop's own thread, inside one transaction, each in its own savepoint so that one
    failing write does not undo the others; only taking the write lock (BEGIN IMMEDIATE, which may wait for
    another process) and the COMMIT (the fsync) go to a worker thread. Jobs are short runs of Python and SQLite
    statements: run on a second thread, every statement would give up the GIL and then wait for the event loop
    to hand it back, so a job spent most of its time waiting. Requests that arrive while a commit is being made
    join the next batch. A job's future resolves only after the commit that holds it, so a 201 still means
    durable.
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
        self._pending: list[tuple[Callable[[sqlite_utils.Database], Any], asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._lock = _writer_lock(self.db)

    async def run_async(self, job: Callable[[sqlite_utils.Database], T]) -> T:
        """Queue a write; returns the job's result once the transaction holding it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, future))
        drainer = self._drainer
        if drainer is None or drainer.done() or drainer.get_loop() is not loop:
            self._drainer = loop.create_task(self._drain())
        return await future

    def run(self, job: Callable[[sqlite_utils.Database], T]) -> T:
        """`run_async` for a plain `def` route, which runs on one of the server's worker threads."""
        return anyio.from_thread.run(self.run_async, job)

    def close(self) -> None:
        self.db.close()

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.MAX_BATCH]
            del self._pending[: self.MAX_BATCH]
            try:
                await asyncio.to_thread(self._begin)
            except Exception as exc:
                _fail(batch, exc)
                continue
            outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                with self._batch_context(self.db):
                    self._run_jobs(batch, outcomes)
            except BaseException as exc:
                # Answered only once the rollback is done (an answer may let the event loop finish, and a thread
                # job not yet started would then never release the write lock); answered even if it fails.
                try:
                    await asyncio.to_thread(self._rollback)
                finally:
                    _fail(batch, exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            try:
                await asyncio.to_thread(self._commit)
            except Exception as exc:  # the commit itself failed: nothing in the batch is durable
                _fail(batch, exc)
                continue
            for future, result, error in outcomes:
                if future.done():  # its request was cancelled (the client went away)
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(result)

    def _begin(self) -> None:
        self._lock.acquire()
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def _commit(self) -> None:
        try:
            self.db.conn.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise
        finally:
            self._lock.release()

    def _rollback(self) -> None:
        try:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
        finally:
            self._lock.release()

    def _run_jobs(
        self,
        batch: list[tuple[Callable[[sqlite_utils.Database], Any], asyncio.Future[Any]]],
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]],
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


def _fail(batch: list[tuple[Any, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)
