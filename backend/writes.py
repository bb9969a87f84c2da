"""The one write path: every write transaction goes through `write(db)` or the group-commit writer.

A write is a `Batch`: one transaction on one connection, and the reports whose response clocks that transaction
has to compute before it commits. The event log notes each report it changes (`open_batch(db).report_changed`);
the batch computes each noted report's clocks once, as of the latest time it changed, in bulk, just before the
COMMIT, so a report, its events and its stored clocks change together. A clock depends only on the report's
events and the time, so this stores exactly what computing after every event would.

`write(db)` opens a batch, or joins the one already open on that connection (a nested write, or a job of the
group-commit writer) in a savepoint of its own. The batch belongs to the connection, not to the thread or task
that opened it: the transaction is the connection's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.from_thread
import sqlite_utils

from backend.db import connect, write_transaction, writer_lock

T = TypeVar("T")


class Batch:
    """One write transaction and the reports whose clocks it must compute before it commits."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.clocks_due: dict[str, datetime] = {}  # report id -> the latest time it changed in this batch

    def report_changed(self, report_id: str, at: datetime) -> None:
        """Note that an event changed this report at `at`: its clocks are computed as of then, at the end."""
        self.clocks_due[report_id] = max(at, self.clocks_due.get(report_id, at))

    def clocks_stored(self, report_ids: Iterable[str]) -> None:
        """These reports' clocks were just computed from their facts as they now stand and stored (the sweep does
        so itself, at its own time and with the flags it has just set): nothing is left to do for them unless they
        change again. Computing them again as of their event's earlier time would undo the sweep's work."""
        for report_id in report_ids:
            self.clocks_due.pop(report_id, None)

    @contextmanager
    def savepoint(self) -> Iterator[Batch]:
        """A block of the batch that is undone alone when it fails: its rows, and its notes of changed reports."""
        noted = dict(self.clocks_due)
        try:
            with self.db.atomic():
                yield self
        except BaseException:
            self.clocks_due = noted
            raise

    def finish(self) -> None:
        """Compute and store the noted reports' clocks; call inside the transaction, just before COMMIT."""
        if not self.clocks_due:
            return
        # Imported here, not at the top: the clocks' own policy module writes through this module.
        from backend.services.clocks.response_clocks import store_as_of

        store_as_of(self.db, self.clocks_due)
        self.clocks_due = {}


# The batch open on each connection, by the connection's id: an entry lives only while its batch is open (and the
# batch holds the connection), so an id is never reused while registered. Each connection is used by one thread
# at a time, so the entries need no lock of their own.
_open: dict[int, Batch] = {}


@contextmanager
def _registered(batch: Batch) -> Iterator[Batch]:
    key = id(batch.db.conn)
    _open[key] = batch
    try:
        yield batch
    finally:
        del _open[key]


def open_batch(db: sqlite_utils.Database) -> Batch:
    """The batch open on this connection; raises when there is none (the change would escape its clocks)."""
    batch = _open.get(id(db.conn))
    if batch is None:
        raise RuntimeError("a report changed outside backend.writes.write: open a write around the change")
    return batch


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[Batch]:
    """Run the block as one write: its own transaction (taking the write lock first), or a savepoint of the batch
    already open on this connection. The outermost write computes the batch's clocks before it commits."""
    batch = _open.get(id(db.conn))
    if batch is not None:
        with batch.savepoint():
            yield batch
        return
    with write_transaction(db), _registered(Batch(db)) as batch:
        yield batch
        batch.finish()


Job = Callable[[sqlite_utils.Database], Any]


class GroupCommitWriter:
    """Writes queued from requests, committed together: many reports, one fsync.

    The jobs run on the event loop's own thread, inside one transaction, each in its own savepoint so that one
    failing write does not undo the others; only taking the write lock (BEGIN IMMEDIATE, which may wait for
    another process) and the COMMIT (the fsync) go to a worker thread. Jobs are short runs of Python and SQLite
    statements: run on a second thread, every statement would give up the GIL and then wait for the event loop
    to hand it back, so a job spent most of its time waiting. Requests that arrive while a commit is being made
    join the next batch. A job's future resolves only after the commit that holds it, so a 201 still means
    durable.

    Each drained batch of jobs is one `Batch`, open on the writer's connection while its jobs run: a job's
    `write(db)` joins it, and the clocks of every report the jobs changed are computed once, in one bulk pass,
    before the COMMIT. When that pass fails the whole batch is rolled back and every job fails with it.
    """

    MAX_BATCH = 256

    def __init__(self, path: Path) -> None:
        self.db = connect(path)
        self._pending: list[tuple[Job, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._lock = writer_lock(self.db)

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
            jobs = self._pending[: self.MAX_BATCH]
            del self._pending[: self.MAX_BATCH]
            try:
                await asyncio.to_thread(self._begin)
            except Exception as exc:
                _fail(jobs, exc)
                continue
            outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                with _registered(Batch(self.db)) as batch:
                    self._run_jobs(batch, jobs, outcomes)
                    batch.finish()
            except BaseException as exc:
                # Answered only once the rollback is done (an answer may let the event loop finish, and a thread
                # job not yet started would then never release the write lock); answered even if it fails.
                try:
                    await asyncio.to_thread(self._rollback)
                finally:
                    _fail(jobs, exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            try:
                await asyncio.to_thread(self._commit)
            except Exception as exc:  # the commit itself failed: nothing in the batch is durable
                _fail(jobs, exc)
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
        batch: Batch,
        jobs: list[tuple[Job, asyncio.Future[Any]]],
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]],
    ) -> None:
        for job, future in jobs:
            try:
                with batch.savepoint():
                    result = job(self.db)
            except Exception as exc:
                if not self.db.conn.in_transaction:
                    raise  # SQLite ended the whole transaction (e.g. a full disk): no job of the batch stands
                outcomes.append((future, None, exc))
            else:
                outcomes.append((future, result, None))


def _fail(jobs: list[tuple[Job, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in jobs:
        if not future.done():
            future.set_exception(exc)
