"""The group-committing writer on a real SQLite file: jobs run on the event loop, many share one commit, a
failing job undoes only itself, a batch that cannot finish undoes every job, and waiting for the write lock never
blocks the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import anyio
import anyio.to_thread
import pytest
import sqlite_utils

from backend.db import connect
from backend.writes import GroupCommitWriter, open_batch


def _make_db(path: Path) -> None:
    db = connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.close()


def _insert(text: str) -> Callable[[sqlite_utils.Database], int]:
    def job(db: sqlite_utils.Database) -> int:
        return db.execute("INSERT INTO notes (text) VALUES (?)", [text]).lastrowid

    return job


def _texts(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM notes ORDER BY id")]
    finally:
        conn.close()


def test_concurrent_writes_share_commits_and_each_is_on_disk_when_its_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)
    commits: list[str] = []
    writer.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    seen_on_disk: list[bool] = []

    async def one(i: int) -> None:
        await writer.run_async(_insert(f"note {i}"))
        # Another connection sees it the moment the call returns: it was committed, not merely queued.
        seen_on_disk.append(f"note {i}" in _texts(path))

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(200)))

    asyncio.run(main())
    writer.close()
    assert sorted(_texts(path)) == sorted(f"note {i}" for i in range(200))
    assert seen_on_disk == [True] * 200
    assert 1 <= len(commits) < 200  # batched: requests that arrive during a commit share the next one


def test_a_failing_job_undoes_only_its_own_writes(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)

    def half_then_fail(db: sqlite_utils.Database) -> None:
        db.execute("INSERT INTO notes (text) VALUES ('half-written')")
        raise ValueError("refused")

    async def main() -> list[object]:
        return await asyncio.gather(
            writer.run_async(_insert("before")),
            writer.run_async(half_then_fail),
            writer.run_async(_insert("after")),
            return_exceptions=True,
        )

    results = asyncio.run(main())
    writer.close()
    assert isinstance(results[1], ValueError) and str(results[1]) == "refused"
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert _texts(path) == ["before", "after"]


def test_a_batch_that_cannot_finish_fails_every_job_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)

    def insert_and_change_a_report(db: sqlite_utils.Database) -> int:
        # This database has no reports: computing the changed report's clocks, when the batch finishes, fails.
        open_batch(db).report_changed("no-such-table", datetime(2025, 9, 1, tzinfo=UTC))
        return _insert("n2")(db)

    async def main() -> list[object]:
        jobs = [_insert("n0"), _insert("n1"), insert_and_change_a_report, _insert("n3"), _insert("n4")]
        return await asyncio.gather(*(writer.run_async(job) for job in jobs), return_exceptions=True)

    results = asyncio.run(main())
    assert [type(r) for r in results] == [sqlite3.OperationalError] * 5
    assert all("no such table" in str(r) for r in results)
    assert _texts(path) == []
    # The writer is usable afterwards: the failed batch released the lock and rolled back, and the next batch
    # starts with nothing to compute.
    assert asyncio.run(writer.run_async(_insert("later"))) == 1
    writer.close()
    assert _texts(path) == ["later"]


def test_a_plain_def_route_on_a_worker_thread_can_write_through_run(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)

    async def main() -> int:
        return await anyio.to_thread.run_sync(writer.run, _insert("from a thread"))

    assert anyio.run(main) == 1
    writer.close()
    assert _texts(path) == ["from a thread"]


def test_waiting_for_another_process_write_lock_does_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as the CLI would, importing areas
    released = threading.Event()

    def release_later() -> None:
        released.wait(5)
        other.execute("INSERT INTO notes (text) VALUES ('cli')")
        other.execute("COMMIT")

    async def main() -> tuple[int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        async def until(condition: Callable[[], bool], what: str, timeout: float = 8.0) -> None:
            # Under the writer's 10 s busy timeout, so a writer that gave up is not mistaken for one still waiting.
            deadline = time.monotonic() + timeout
            while not condition():
                assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
                await asyncio.sleep(0.01)

        tick_task = asyncio.create_task(ticker())
        write = asyncio.create_task(writer.run_async(_insert("server")))
        # The writer's worker thread holds the process's writer lock only while it takes (or waits for) SQLite's.
        await until(writer._lock.locked, "the writer asks SQLite for the write lock")
        ticks_at_lock = ticks
        await until(lambda: ticks >= ticks_at_lock + 10, "ten ticks of the loop while the writer waits")
        ticks_while_locked = ticks - ticks_at_lock
        assert not write.done()  # still waiting for the lock the other connection holds
        assert other.in_transaction
        threading.Thread(target=release_later).start()
        released.set()
        result = await write
        tick_task.cancel()
        return ticks_while_locked, result

    ticks_while_locked, result = asyncio.run(main())
    writer.close()
    other.close()
    # The loop went on running other coroutines (ticking every 10 ms) the whole time the writer waited.
    assert ticks_while_locked >= 10
    assert result == 2
    assert _texts(path) == ["cli", "server"]


@pytest.mark.parametrize("count", [1, 300])
def test_more_jobs_than_one_batch_holds_are_all_written(tmp_path: Path, count: int) -> None:
    path = tmp_path / "w.db"
    _make_db(path)
    writer = GroupCommitWriter(path)
    writer.MAX_BATCH = 64

    async def main() -> list[int]:
        return await asyncio.gather(*(writer.run_async(_insert(f"n{i}")) for i in range(count)))

    ids = asyncio.run(main())
    writer.close()
    assert sorted(ids) == list(range(1, count + 1))
    assert len(_texts(path)) == count
