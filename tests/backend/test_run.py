"""`hedgerow run` in a subprocess: seeds an empty database, serves everything, prints where, stops on a signal."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from backend.services.demo.generator import DEMO_PASSWORD
from tests.support import ROOT, free_port

APP_EXISTS = (ROOT / "app" / "main.py").exists()
DEMO_REPORTS = 60


@dataclass
class Run:
    """One `hedgerow run` process, its output collected line by line as it comes."""

    data_dir: Path
    args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    lines: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None
    reader: threading.Thread | None = None

    def start(self) -> Run:
        env = {
            **os.environ,
            "HEDGEROW_DATA_DIR": str(self.data_dir),
            "HEDGEROW_PORT": str(self.port),
            "HEDGEROW_APP_PORT": str(self.app_port),
            "HEDGEROW_DEMO_REPORTS": str(DEMO_REPORTS),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "run", *self.args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()
        return self

    def _collect(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.proc is not None
            if self.proc.poll() is not None:
                self.drain()
                pytest.fail(f"hedgerow run exited with {self.proc.returncode} before printing {text!r}:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"hedgerow run did not print {text!r} in {timeout} s:\n{self.output}")
            time.sleep(0.1)

    def stop(self, sig: signal.Signals) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(30)
        self.drain()
        return code

    def drain(self, timeout: float = 30) -> None:
        """Once the process has ended: wait until the reader has read its output to the end of the pipe."""
        assert self.reader is not None
        self.reader.join(timeout)
        assert not self.reader.is_alive(), f"the output pipe stayed open {timeout} s after the process ended"

    def close(self) -> None:
        """Kill it if still running (a failed test), and release its output pipe."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.reader is not None:
            self.reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _refused(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.close()


def test_run_seeds_an_empty_database_serves_everything_and_stops_on_sigterm(tmp_path: Path, runs: list[Run]) -> None:
    run = Run(tmp_path)
    runs.append(run.start())
    run.wait_for("Press Ctrl-C to stop.")
    base = f"http://127.0.0.1:{run.port}"
    out = run.output
    assert f"seeding {DEMO_REPORTS} demo reports" in out and f"Seeded {DEMO_REPORTS} demo reports" in out
    for url in (f"{base}/docs", f"{base}/api/v1/categories", f"{base}/console"):
        assert url in out
    assert DEMO_PASSWORD in out
    for username in ("admin", "nfu", "kent.officer", "kent.supervisor", "scotland.officer"):
        assert f"  {username} " in out

    with httpx.Client(base_url=base, timeout=30) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        categories = client.get("/api/v1/categories")
        assert categories.status_code == 200
        assert len(categories.json()["categories"]) == 17
        login = client.get("/console/login")
        assert login.status_code == 200 and 'type="password"' in login.text
        # The printed logins are real: the demo officer gets an API token with the printed password.
        token = client.post("/api/v1/tokens", json={"username": "kent.officer", "password": DEMO_PASSWORD})
        assert token.status_code == 201, token.text
        assert token.json()["force"] == "Kent Police"

    if APP_EXISTS:
        assert f"Farmer app:  http://127.0.0.1:{run.app_port}" in out
        page = httpx.get(f"http://127.0.0.1:{run.app_port}/", timeout=30)
        assert page.status_code == 200
    else:
        assert "Farmer app:  not started (app/main.py does not exist yet)" in out

    assert run.stop(signal.SIGTERM) == 0  # and its output read to the end
    assert run.lines[-1] == "Hedgerow stopped.", run.output
    assert _refused(run.port)
    assert _refused(run.app_port)  # the app went down with the backend
    with sqlite3.connect(tmp_path / "hedgerow.db") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == DEMO_REPORTS
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_run_does_not_seed_a_database_with_reports_and_stops_on_ctrl_c(tmp_path: Path, runs: list[Run]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "demo", "--reports", "25", "--quiet"],
        cwd=ROOT,
        env={**os.environ, "HEDGEROW_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    run = Run(tmp_path, args=("--no-app",))
    runs.append(run.start())
    run.wait_for("Press Ctrl-C to stop.")
    out = run.output
    assert "holds 25 reports; not seeding demo data" in out
    assert "Seeded" not in out
    assert "Farmer app:  not started" in out
    assert "kent.officer" in out  # the demo logins the database holds, from the earlier `hedgerow demo`
    assert httpx.get(f"http://127.0.0.1:{run.port}/api/v1/categories", timeout=30).status_code == 200
    assert _refused(run.app_port)
    assert run.stop(signal.SIGINT) == 0
    assert run.lines[-1] == "Hedgerow stopped.", run.output
    assert _refused(run.port)
    with sqlite3.connect(tmp_path / "hedgerow.db") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 25
