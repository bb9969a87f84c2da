"""How far the replica is behind the database, in seconds, measured end to end.

Lag here is the age of the oldest commit that is not yet on the replica (0 when the replica holds every commit).
Three things are watched, every POLL_S:

- commits, from SQLite's `PRAGMA data_version` on a connection of our own (it changes when any other
  connection commits): a commit first seen at one poll was made after the poll before it;
- which of Litestream's transactions holds it: its local transaction id once it has made two more passes over the
  WAL since the poll that saw the commit (from its Prometheus metrics on loopback: `litestream_txid`,
  `litestream_sync_count`; the first pass might have begun before the commit, the second began after it);
- whether the replica holds that transaction: the newest transaction file in the replica store itself, listed
  only while something is waiting (for a bucket, listed after the newest name seen, so it answers with a few).

So the lag reported is what a restore would lose at that moment, over-stated by at most two polls, and it grows
on its own whenever Litestream is down, slow, or the store refuses it. Litestream's metrics are read at every poll
(loopback), and the store listed only when its position is ahead of the replica's.
Litestream's metrics give no replica position in 0.5; its log does, but a log format is not an interface.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from backend.db import connect
from backend.ops.replication.litestream import Supervisor
from backend.ops.replication.store import BucketStore, FolderStore

POLL_S = 0.1
# While Litestream is down the server's own connections do not checkpoint (see backend/db.py); past this long,
# the monitor checkpoints (PASSIVE: never waits for a reader or blocks a writer) so the WAL does not grow for ever.
CHECKPOINT_WHILE_DOWN_S = 30.0


@dataclass
class _Commit:
    after: float  # monotonic time of the poll before the one that saw it: it was made after this
    seen: float  # monotonic time of the poll that saw it
    syncs: tuple[int, int] | None = None  # (Litestream's pid, its successful WAL syncs) first seen after it
    txid: int | None = None  # Litestream's local transaction that holds it


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class LagMonitor:
    def __init__(self, db_path: Path, supervisor: Supervisor, store: FolderStore | BucketStore) -> None:
        self.db_path = db_path
        self.supervisor = supervisor
        self.store = store
        self.samples: deque[float] = deque(maxlen=5000)  # seconds from each commit to the replica holding it
        self.local_txid: int | None = None
        self.replica_txid: int | None = None
        self.replicated_at: float | None = None  # wall-clock time the replica was last seen to move on
        self.store_error: str | None = None
        self._pending: deque[_Commit] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hedgerow-replica-lag", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def lag_s(self) -> float:
        with self._lock:
            oldest = self._pending[0].after if self._pending else None
        return 0.0 if oldest is None else round(time.monotonic() - oldest, 3)

    def _run(self) -> None:
        db = connect(self.db_path)
        try:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            last_poll = time.monotonic()
            down_since: float | None = None
            while not self._stop.wait(POLL_S):
                now = time.monotonic()
                current = db.execute("PRAGMA data_version").fetchone()[0]
                if current != version:
                    version = current
                    with self._lock:
                        self._pending.append(_Commit(last_poll, now))
                self._place()
                behind = self.local_txid is not None and (self.replica_txid or 0) < self.local_txid
                if behind or any(c.txid is not None for c in self._pending):
                    self._check_replica(now)
                down_since = self._checkpoint_if_down(db, now, down_since)
                last_poll = now
        finally:
            db.close()

    def _place(self) -> None:
        """Give each commit the local transaction that holds it, once Litestream has passed over the WAL twice
        since the commit was seen (the first pass may have begun before it)."""
        found = self.supervisor.metrics()
        if found is None:
            return
        txid, syncs = found
        pid = self.supervisor.state.pid or 0
        self.local_txid = txid
        with self._lock:
            for commit in self._pending:
                if commit.txid is not None:
                    continue
                if commit.syncs is None or commit.syncs[0] != pid:  # first seen now, or Litestream started again
                    commit.syncs = (pid, syncs)
                elif syncs >= commit.syncs[1] + 2:
                    commit.txid = txid

    def _check_replica(self, now: float) -> None:
        try:
            newest = self.store.newest_txid()
            self.store_error = None
        except Exception as exc:  # the store is unreachable or refuses: the lag grows, the page says why
            self.store_error = str(exc)[:300]
            return
        if newest is None:
            return
        if self.replica_txid is None or newest > self.replica_txid:
            self.replicated_at = time.time()
        self.replica_txid = newest
        with self._lock:
            while self._pending and self._pending[0].txid is not None and self._pending[0].txid <= newest:
                self.samples.append(now - self._pending.popleft().after)

    def _checkpoint_if_down(self, db: sqlite_utils.Database, now: float, down_since: float | None) -> float | None:
        if self.supervisor.state.running:
            return None
        if down_since is None:
            return now
        if now - down_since >= CHECKPOINT_WHILE_DOWN_S:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return now
        return down_since
