"""The photo replicator: copies every stored photo file (all sizes) to the replica store, from the queue that
m0013's triggers fill in the photo's own transaction (backend/services/replication/photo_queue.py).

A queue in the database rather than a scan of new files since a watermark: a file's time says when it was
written, not when its photo committed (a photo stored just before a crash is on disk with no row, and must not
be replicated as if it were held), and a scan cannot tell a photo the purge erased from one never copied. The
queue is replicated with the database, so a restored server knows which photos were still waiting.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from backend.db import connect
from backend.ops.replication.store import PHOTOS_PREFIX, BucketStore, FolderStore
from backend.services.intake.photos import blob_path
from backend.services.replication import photo_queue

SIZES = ("original", "display", "thumb")
IDLE_S = 0.5


def photo_files(photos_dir: Path, sha256: str, content_type: str) -> list[tuple[str, Path]]:
    """Each size of a photo: its key in the replica store, and its path in the data directory."""
    files = []
    for size in SIZES:
        path = blob_path(photos_dir, sha256, size, content_type)
        files.append((f"{PHOTOS_PREFIX}/{path.relative_to(photos_dir).as_posix()}", path))
    return files


class PhotoReplicator:
    def __init__(self, db_path: Path, photos_dir: Path, store: FolderStore | BucketStore, keep_h: float) -> None:
        self.db_path = db_path
        self.photos_dir = photos_dir
        self.store = store
        self.remove_after = timedelta(hours=keep_h)
        self.backlog: photo_queue.Backlog | None = None
        self.copied = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hedgerow-replica-photos", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        db = connect(self.db_path)
        try:
            while not self._stop.is_set():
                now = datetime.now(UTC)
                jobs = photo_queue.due(db, now, self.remove_after)
                done: list[int] = []
                failed: dict[int, str] = {}
                for job in jobs:
                    if self._stop.is_set():
                        break
                    try:
                        self._do(db, job)
                        done.append(job.id)
                    except Exception as exc:  # kept in the queue with its error, tried again later
                        failed[job.id] = f"{type(exc).__name__}: {exc}"
                photo_queue.finish(db, done, failed, datetime.now(UTC))
                self.backlog = photo_queue.backlog(db)
                if len(jobs) < photo_queue.BATCH:
                    self._stop.wait(IDLE_S)
        finally:
            db.close()

    def _do(self, db: sqlite_utils.Database, job: photo_queue.Job) -> None:
        files = photo_files(self.photos_dir, job.sha256, job.content_type)
        if job.action == "remove":
            if not photo_queue.held(db, job.sha256):  # stored again since it was purged: keep the copy
                for key, _ in files:
                    self.store.remove(key)
            return
        for key, path in files:
            if not path.exists():
                if not photo_queue.held(db, job.sha256):
                    return  # purged before it was copied; its removal follows in the queue
                raise FileNotFoundError(f"{path} is missing from the photo store")
            if self.store.put_new(key, path):
                self.copied += 1
