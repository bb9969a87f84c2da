"""Continuous replication while the server runs (HEDGEROW_REPLICA_URL): Litestream for the database, the photo
replicator for the photo store, and the lag monitor that says how far behind the replica is.

`hedgerow serve` and `hedgerow run` both build the app with `backend.main.create_app`, whose lifespan starts and
stops a `Replication`; `/healthz?deep=1` and the admin page read `status()`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from backend.db import leave_checkpoints_to_litestream
from backend.ops.replication import litestream
from backend.ops.replication.monitor import LagMonitor, percentile
from backend.ops.replication.photos import PhotoReplicator
from backend.ops.replication.store import open_store, parse
from backend.settings import Settings

# Past these, /healthz?deep=1 answers 503 and the admin page says what is wrong.
LAG_ALERT_S = 60.0
PHOTO_ALERT_S = 600.0


def _when(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds") if seconds else None


class Replication:
    def __init__(self, settings: Settings) -> None:
        self.url = parse(settings.replica_url).shown
        self.store = open_store(settings.replica_url, settings.replica_endpoint)
        self.config_path = settings.data_dir / litestream.CONFIG_NAME
        port = litestream.free_port()
        self.config_path.write_text(
            litestream.config_text(
                settings.db_path, self.store, settings.replica_sync_s, settings.replica_retention_h, port
            )
        )
        leave_checkpoints_to_litestream(settings.db_path)
        self.supervisor = litestream.Supervisor(self.config_path, settings.db_path, port)
        self.monitor = LagMonitor(settings.db_path, self.supervisor, self.store)
        self.photos = PhotoReplicator(settings.db_path, settings.photos_dir, self.store, settings.replica_retention_h)

    def start(self) -> None:
        self.supervisor.start()
        self.monitor.start()
        self.photos.start()

    def stop(self) -> None:
        self.photos.stop()
        self.monitor.stop()
        self.supervisor.stop()

    def status(self) -> dict[str, Any]:
        child = self.supervisor.state
        samples = list(self.monitor.samples)
        lag = self.monitor.lag_s()
        backlog = self.photos.backlog
        oldest = backlog.oldest_queued_at if backlog else None
        photo_wait = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        problems = []
        if not child.running:
            exited = f" (it exited with code {child.last_exit_code})" if child.last_exit_at else ""
            problems.append(f"Litestream is not running{exited}")
        if lag > LAG_ALERT_S:
            problems.append(f"the replica is {lag:.0f} s behind")
        if self.monitor.store_error:
            problems.append(f"the replica store: {self.monitor.store_error}")
        if photo_wait > PHOTO_ALERT_S:
            problems.append(f"photos have waited {photo_wait:.0f} s to be copied")
        return {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "replica": self.url,
            "database": {
                "litestream_running": child.running,
                "litestream_pid": child.pid if child.running else None,
                "started_at": _when(child.started_at),
                "restarts": child.restarts,
                "last_exit_code": child.last_exit_code,
                "last_exit_at": _when(child.last_exit_at),
                "local_txid": self.monitor.local_txid,
                "replica_txid": self.monitor.replica_txid,
                "last_replicated_at": _when(self.monitor.replicated_at),
                "lag_s": lag,
                "lag_p50_s": _rounded(percentile(samples, 0.5)),
                "lag_p95_s": _rounded(percentile(samples, 0.95)),
                "lag_max_s": _rounded(max(samples) if samples else None),
                "lag_samples": len(samples),
            },
            "photos": {
                "backlog": backlog.waiting if backlog else None,
                "oldest_waiting_s": round(photo_wait, 1),
                "failing": backlog.failing if backlog else None,
                "last_error": backlog.last_error if backlog else None,
                "copied_files": self.photos.copied,
            },
            "checked_at": _when(time.time()),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
