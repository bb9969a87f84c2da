"""Must-show 2 of issue 20: Litestream dying is noticed, it is started again, and the lag it left is reported
(in /healthz?deep=1); and it never outlives the server it replicates for."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backend.intake import query
from tests.backend.replication_support import deep_health
from tests.backend.test_replication import gone, replicating
from tests.support import LiveServer, register, report_body, wait_until


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "data", env={"HEDGEROW_REPLICA_URL": f"file://{tmp_path / 'replica'}"})
    live.start()
    wait_until(lambda: replicating(live), "Litestream has made the replica's first snapshot")
    yield live
    live.stop()


def test_killed_litestream_is_noticed_started_again_and_the_lag_it_left_is_reported(
    server: LiveServer, tmp_path: Path
) -> None:
    wait_until(lambda: deep_health(server.url)[1]["replication"]["database"]["lag_s"] == 0.0, "caught up")
    first = deep_health(server.url)[1]["replication"]["database"]
    assert first["restarts"] == 0
    os.kill(first["litestream_pid"], signal.SIGKILL)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        report_id = str(uuid.uuid4())
        assert c.put(f"/api/v1/reports/{report_id}", json=report_body(), headers=register(c)).status_code == 201

    seen_down: list[tuple[int, dict]] = []
    deadline = time.monotonic() + 30
    while True:
        status, body = deep_health(server.url)
        database = body["replication"]["database"]
        if not database["litestream_running"]:
            seen_down.append((status, body["replication"]))
        elif database["restarts"] >= 1 and database["lag_s"] == 0.0 and database["replica_txid"] is not None:
            break
        assert time.monotonic() < deadline, f"Litestream was not started again and caught up: {body}"
        time.sleep(0.05)

    assert seen_down, "the monitor saw Litestream down between its death and its restart"
    status, down = seen_down[-1]
    assert status == 503 and down["status"] == "degraded"
    assert down["problems"][0] == "Litestream is not running (it exited with code -9)"
    assert max(d["database"]["lag_s"] for _, d in seen_down) >= 0.5, "the lag grows while nothing replicates"
    assert database["litestream_pid"] != first["litestream_pid"]
    assert database["last_exit_code"] == -9
    assert database["lag_max_s"] >= 0.9, "the report sent while Litestream was down waited for its restart (1 s)"
    assert database["lag_p95_s"] is not None and database["lag_samples"] >= 1
    assert status == 503 and deep_health(server.url)[0] == 200

    # The report committed while Litestream was dead is on the replica now.
    restored = tmp_path / "restored"
    done = server.cli("restore", "--from", f"file://{tmp_path / 'replica'}", str(restored))
    assert done.returncode == 0, done.stdout + done.stderr
    assert query(restored / "hedgerow.db", "SELECT id FROM reports")[0][0] == report_id


def test_litestream_ends_with_the_server_killed_or_stopped(server: LiveServer) -> None:
    pid = deep_health(server.url)[1]["replication"]["database"]["litestream_pid"]
    server.kill()
    wait_until(lambda: gone(pid), "Litestream ended with the server that was killed", timeout=10)

    server.start()
    wait_until(lambda: replicating(server), "Litestream replicates again after the restart")
    pid = deep_health(server.url)[1]["replication"]["database"]["litestream_pid"]
    server.stop()
    assert gone(pid), "stopping the server stops Litestream first"
