"""Where the app keeps its data, which server it talks to, and where it serves its web UI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SERVER_URL = "http://127.0.0.1:8000"
DEFAULT_PORT = 8550


@dataclass(frozen=True)
class AppConfig:
    data_dir: Path
    server_url: str
    host: str
    port: int
    # HEDGEROW_SYNC_PERIOD_S / _PROBE_S / _BACKOFF_S: shorter sync timers for tests and demonstrations (None: the
    # sync engine's own).
    sync_period_s: float | None = None
    sync_probe_s: float | None = None
    sync_backoff_s: float | None = None

    @classmethod
    def from_env(cls) -> AppConfig:
        # FLET_APP_STORAGE_DATA is set by `flet run` and by the phone's host app: the app's private storage.
        data = os.environ.get("FLET_APP_STORAGE_DATA") or str(Path("data") / "app")
        return cls(
            data_dir=Path(data).resolve(),
            server_url=(os.environ.get("HEDGEROW_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
            host=os.environ.get("FLET_SERVER_IP") or "127.0.0.1",
            port=int(os.environ.get("FLET_SERVER_PORT") or DEFAULT_PORT),
            sync_period_s=_seconds("HEDGEROW_SYNC_PERIOD_S"),
            sync_probe_s=_seconds("HEDGEROW_SYNC_PROBE_S"),
            sync_backoff_s=_seconds("HEDGEROW_SYNC_BACKOFF_S"),
        )


def _seconds(name: str) -> float | None:
    value = os.environ.get(name)
    return float(value) if value else None
