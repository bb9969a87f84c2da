"""Replication: intake with Litestream on against off, the replica's lag under that load, and restoring 1,000,000
reports.

Measured in one run:
  - intake throughput, report PUTs (first sends, 201) with wrk as in bench_intake (2 threads, 16 connections), on
    two servers side by side: one without replication and one replicating continuously to a `file://` replica
    on the same disk (Litestream pushing every HEDGEROW_REPLICA_SYNC_S, 0.4 s by default; the photo replicator
    idle). Rounds alternate off and on, so the shared VM's drift falls on both; the ratio is of the medians;
  - the replica's lag under that load: the server's own measure (backend/ops/replication/monitor.py: from a
    commit to the replica holding the transaction that carries it, over-stated by at most two 0.1 s polls), as
    /healthz?deep=1 gives it after the rounds, over every commit the monitor saw during them;
  - restore time at 1,000,000 reports: the console benchmark's database (tests/benchmarks/bench_console.py builds
    it once and caches it under HEDGEROW_BENCH_CACHE), copied, migrated, its photos copied by the photo
    replicator and the database snapshotted by `litestream replicate -once` to a `file://` replica; then timed:
    the same restore as `hedgerow restore` (Litestream's restore, PRAGMA integrity_check, every photo fetched
    and its SHA-256 checked).

The replica is a folder on the same disk: the best case for the network, the worst for the disk (Litestream's
writes compete with SQLite's own). A bucket across a network adds its round trips to the lag, not to intake.

Run: .venv/bin/python -m tests.benchmarks.bench_replication [--seconds S] [--rounds N] [--reports N] [--db DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from backend.db import open_and_migrate
from backend.ops.replication import litestream
from backend.ops.replication.photos import PhotoReplicator
from backend.ops.replication.restore import restore
from backend.ops.replication.store import FolderStore
from tests.benchmarks import bench_console, bench_intake
from tests.support import LiveServer, register, wait_until

TARGET_RATIO = 0.9
TARGET_LAG_P95_S = 1.0


def _deep(server: LiveServer) -> dict[str, Any]:
    return httpx.get(f"{server.url}/healthz", params={"deep": 1}, timeout=30).json()


def _server(root: Path, name: str, env: dict[str, str]) -> tuple[LiveServer, dict[str, str]]:
    server = LiveServer(root / name, env={"HEDGEROW_REGISTER_PER_HOUR": "100000", **env})
    server.start()
    with httpx.Client(base_url=server.url) as c:
        headers = register(c)
    body = root / f"{name}-body.json"
    body.write_text(json.dumps(bench_intake._body()))
    return server, {"TOKEN": headers["Authorization"].split()[1], "BODY_FILE": str(body)}


def intake_on_and_off(seconds: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        off, off_env = _server(root, "off", {})
        on, on_env = _server(root, "on", {"HEDGEROW_REPLICA_URL": f"file://{root / 'replica'}"})
        try:
            wait_until(lambda: _deep(on)["replication"]["database"]["replica_txid"] is not None, "first snapshot")
            rates: dict[str, list[float]] = {"off": [], "on": []}
            for run in range(1, rounds + 1):
                for kind, server, env in (("off", off, off_env), ("on", on, on_env)):
                    result = bench_intake._wrk(server.url, seconds, {**env, "RESEND": "0", "RUN": str(run)})
                    assert result["other"] == 0 and result["ok"] == 0, result["text"]
                    rates[kind].append(result["per_s"])
            wait_until(lambda: _deep(on)["replication"]["database"]["lag_s"] == 0.0, "the replica caught up", 60)
            state = _deep(on)["replication"]
        finally:
            off.stop()
            on.stop()
    return {"rates": rates, "state": state}


def restore_at_scale(reports: int, given: str | None) -> dict[str, Any]:
    source = bench_console.dataset(reports, given)
    with tempfile.TemporaryDirectory(dir=os.environ.get("HEDGEROW_BENCH_TMP")) as tmp:
        root = Path(tmp)
        live = root / "live"
        live.mkdir()
        started = time.perf_counter()
        shutil.copyfile(source / "hedgerow.db", live / "hedgerow.db")
        shutil.copytree(source / "photos", live / "photos")
        copy_s = time.perf_counter() - started
        db = open_and_migrate(live / "hedgerow.db")
        held = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        db.close()
        store = FolderStore(root / "replica")
        photos = PhotoReplicator(live / "hedgerow.db", live / "photos", store, 24)
        photos.start()
        wait_until(lambda: photos.backlog is not None and photos.backlog.waiting == 0, "photos copied", 600)
        photos.stop()
        config = root / "litestream.yml"
        config.write_text(litestream.config_text(live / "hedgerow.db", store, 1.0, 24.0, None))
        started = time.perf_counter()
        subprocess.run(
            [litestream.binary(), "replicate", "-config", str(config), "-once"],
            env=litestream.child_env(),
            check=True,
            capture_output=True,
        )
        snapshot_s = time.perf_counter() - started
        replica_bytes = sum(p.stat().st_size for p in (root / "replica").rglob("*") if p.is_file())
        db_bytes = (live / "hedgerow.db").stat().st_size
        shutil.rmtree(live)  # room on the disk for the restored copy
        restored = restore(f"file://{root / 'replica'}", "", root / "restored")
        assert restored.ok, restored.summary()
        assert restored.reports == held, f"{restored.reports} restored of {held}"
    return {
        "reports": held,
        "db_gb": db_bytes / 1e9,
        "replica_gb": replica_bytes / 1e9,
        "copy_s": copy_s,
        "snapshot_s": snapshot_s,
        "restored": restored,
    }


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (off, on)")
    parser.add_argument("--reports", type=int, default=bench_console.DEFAULT_REPORTS, help="reports to restore")
    parser.add_argument("--db", default=os.environ.get("HEDGEROW_BENCH_CONSOLE_DB"), help="an existing data dir")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it)")
    load_before = os.getloadavg()[0]
    intake = intake_on_and_off(args.seconds, args.rounds)
    scale = restore_at_scale(args.reports, args.db)
    load_after = os.getloadavg()[0]

    off, on = intake["rates"]["off"], intake["rates"]["on"]
    ratio = statistics.median(on) / statistics.median(off)
    database = intake["state"]["database"]
    restored = scale["restored"]

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} ({min(values):.0f} to {max(values):.0f})"

    lines = [
        f"wrk -t{bench_intake.THREADS} -c{bench_intake.CONNECTIONS}, {args.rounds} rounds of {args.seconds} s on "
        f"each server, alternating; one uvicorn worker each; WAL, synchronous=FULL; replica a `file://` folder on "
        f"the same disk, Litestream 0.5.17 pushing every 0.4 s. Load average {load_before:.1f} before, "
        f"{load_after:.1f} after.",
        "",
        "| what | measured | target |",
        "|---|---:|---:|",
        f"| report PUTs/s, first sends, replication off: median (range) | {spread(off)} |  |",
        f"| report PUTs/s, first sends, replication on: median (range) | {spread(on)} |  |",
        f"| on / off | {ratio:.2f}x | at least {TARGET_RATIO}x |",
        f"| replica lag under that load, p50 / p95 / max ({database['lag_samples']} commits seen) | "
        f"{database['lag_p50_s']:.2f} / {database['lag_p95_s']:.2f} / {database['lag_max_s']:.2f} s | "
        f"p95 under {TARGET_LAG_P95_S:.0f} s |",
        f"| Litestream restarts during the run | {database['restarts']} | 0 |",
        "",
        f"Restore of {scale['reports']:,} reports ({scale['db_gb']:.1f} GB database; replica "
        f"{scale['replica_gb']:.1f} GB after one snapshot by `litestream replicate -once` in "
        f"{scale['snapshot_s']:.0f} s), the same code as `hedgerow restore`:",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| Litestream's restore of the database | {restored.database_s:.1f} |",
        f"| PRAGMA integrity_check | {restored.check_s:.1f} |",
        f"| photos fetched and checked ({restored.photos_ok} distinct, 3 sizes each) | {restored.photos_s:.1f} |",
        f"| **recovery time, in all** | **{restored.seconds:.1f}** |",
    ]
    table = "\n".join(lines)
    print(table)
    return table


if __name__ == "__main__":
    main()
