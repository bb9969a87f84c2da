"""Intake throughput through the real server (one uvicorn worker, WAL + synchronous=FULL).

Measured in one run, side by side:
  - floor 1: the same server answering an empty endpoint (GET /healthz), same load generator;
  - report PUTs, first sends (201) and resends of the same content (200);
  - floor 2: the same rows inserted straight into SQLite, one durable transaction per report, no HTTP;
  - floor 3: the same rows group-committed as the server commits them (its GroupCommitWriter), 16 writers at
    once as wrk's 16 connections, each waiting for its report's commit before the next: batches of 16, the most
    the server can form under that load (each connection has one request in flight), no HTTP;
  - photo uploads over tus (1 MB JPEGs, 256 KiB chunks), photos/s and MB/s.

The HTTP load comes from wrk (Debian's package; written in C, so the load generator is not what is measured)
with tests/benchmarks/wrk/put_reports.lua, 2 threads and 16 connections, for a fixed duration. The HTTP runs are
repeated in rounds and reported as the median and range, because the shared VM's speed drifts by a third from
minute to minute; the server's CPU time per request (from /proc) is given beside them, as it drifts far less.

Run: .venv/bin/python -m tests.benchmarks.bench_intake [--seconds S] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from backend.db import open_and_migrate
from backend.services.areas.boundaries import import_areas
from backend.services.intake.reports import put_report
from backend.writes import GroupCommitWriter
from tests.support import DEMO_AREAS, LiveServer, jpeg_bytes, photo_decl, register, report_body
from wire.reports import ReportCreate

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "put_reports.lua"
THREADS, CONNECTIONS = 2, 16


def _body() -> dict[str, Any]:
    return report_body(
        description="Benchmark report: a pile of builders' rubble in the top gateway",
        vehicles=[{"registration": "AB12 CDE", "make": "Ford", "model": "Transit", "colour": "white"}],
        calls=[{"channel": "101", "called_at": "2026-11-23T09:00:00Z", "waited_s": 900, "outcome": "abandoned"}],
    )


def _wrk(url: str, seconds: int, env: dict[str, str] | None = None, script: bool = True) -> dict[str, Any]:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(WRK_SCRIPT)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, env={**os.environ, **(env or {})}, check=True)
    text = out.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    result: dict[str, Any] = {"per_s": rate, "text": text}
    status = re.search(r"STATUS created=(\d+) ok=(\d+) other=(\d+) min_created_per_thread=(\d+)", text)
    if status:
        result.update(
            created=int(status.group(1)),
            ok=int(status.group(2)),
            other=int(status.group(3)),
            min_created=int(status.group(4)),
        )
        lat = re.search(r"LATENCY p50_ms=([\d.]+) p95_ms=([\d.]+)", text)
        result.update(p50_ms=float(lat.group(1)), p95_ms=float(lat.group(2)))  # type: ignore[union-attr]
    else:
        p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
        result["p50_ms"] = _ms(p50.group(1), p50.group(2)) if p50 else float("nan")
        p90 = re.search(r"90%\s+([\d.]+)(us|ms|s)", text)
        result["p90_ms"] = _ms(p90.group(1), p90.group(2)) if p90 else float("nan")
    return result


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _floor_db(path: Path) -> Any:
    db = open_and_migrate(path)
    import_areas(db, DEMO_AREAS)
    db.execute("INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES ('d', 'h', 'n', '0770090', 'now')")
    return db


def bench_sqlite_floor(count: int, work: Path) -> dict[str, Any]:
    """The same intake rows written straight to SQLite by the intake service, one durable commit per report."""
    db = _floor_db(work / "floor.db")
    body = ReportCreate.model_validate(_body())
    now = datetime.now(UTC)
    lat = []
    start = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        put_report(db, "d", str(uuid.uuid4()), body, now)
        lat.append((time.perf_counter() - t) * 1000)
    seconds = time.perf_counter() - start
    db.close()
    lat.sort()
    return {"per_s": count / seconds, "p50_ms": statistics.median(lat), "p95_ms": lat[int(len(lat) * 0.95) - 1]}


class _BatchCountingWriter(GroupCommitWriter):
    """The server's group commit, noting how many reports each transaction holds."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)  # as backend/main.py makes the server's
        self.batches: list[int] = []

    def _run_jobs(self, batch: Any, jobs: list[Any], outcomes: list[Any]) -> None:
        self.batches.append(len(jobs))
        super()._run_jobs(batch, jobs, outcomes)


def bench_sqlite_group_floor(count: int, work: Path, writers: int = CONNECTIONS) -> dict[str, Any]:
    """The same intake rows group-committed straight to SQLite, no HTTP: `writers` asyncio tasks (as many as wrk's
    connections) each queue one report on the server's GroupCommitWriter and wait for its commit before the next,
    so batches form as the server's do, and hold up to `writers` reports (more cannot form: each writer, like each
    wrk connection, has one report in flight). Latency is from queueing a report to its commit."""
    _floor_db(work / "group.db").close()
    writer = _BatchCountingWriter(work / "group.db")
    body = ReportCreate.model_validate(_body())
    now = datetime.now(UTC)
    lat: list[float] = []
    remaining = count

    def store(rid: str) -> Any:
        return lambda db: put_report(db, "d", rid, body, now)

    async def one_writer() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            t = time.perf_counter()
            assert await writer.run_async(store(str(uuid.uuid4())))
            lat.append((time.perf_counter() - t) * 1000)

    async def all_writers() -> None:
        await asyncio.gather(*(one_writer() for _ in range(writers)))

    start = time.perf_counter()
    asyncio.run(all_writers())
    seconds = time.perf_counter() - start
    writer.close()
    assert len(lat) == count == sum(writer.batches)
    lat.sort()
    return {
        "per_s": count / seconds,
        "p50_ms": statistics.median(lat),
        "p95_ms": lat[int(len(lat) * 0.95) - 1],
        "batches": writer.batches,
    }


def _batches(sizes: list[int]) -> str:
    """'313 commits: 312 of 16 reports, 1 of 8'."""
    parts = [f"{n} of {size}" for size, n in sorted(Counter(sizes).items(), reverse=True)]
    return f"{len(sizes)} commits: {parts[0]} reports" + "".join(f", {part}" for part in parts[1:])


def _pad_jpeg(data: bytes, size: int) -> bytes:
    """Pad a JPEG to about `size` bytes with comment segments, so uploads move a phone photo's weight."""
    missing = size - len(data)
    out = io.BytesIO()
    out.write(data[:2])
    filler = os.urandom(65533)
    while missing > 4:
        chunk = min(missing - 4, 65533)
        out.write(b"\xff\xfe" + (chunk + 2).to_bytes(2, "big") + filler[:chunk])
        missing -= chunk + 4
    out.write(data[2:])
    return out.getvalue()


def bench_photos(server: LiveServer, headers: dict[str, str], count: int) -> dict[str, Any]:
    from tusclient import client as tus_client

    images = [_pad_jpeg(jpeg_bytes(1400, 1000, (i * 7 % 255, 120, 40)), 1024 * 1024) for i in range(count)]
    jobs = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for img in images:
            decl = photo_decl(img)
            rid = str(uuid.uuid4())
            r = client.put(f"/api/v1/reports/{rid}", json=report_body(photos=[decl]), headers=headers)
            assert r.status_code == 201, r.text
            jobs.append((rid, decl, img))
    tus = tus_client.TusClient(f"{server.url}/api/v1/uploads/", headers=headers)
    lat = []
    start = time.perf_counter()
    for rid, decl, img in jobs:
        t = time.perf_counter()
        meta = {"report_id": rid, "photo_id": decl["photo_id"], "sha256": decl["sha256"]}
        meta |= {"content_type": "image/jpeg", "filename": "photo.jpg", "filetype": "image/jpeg"}
        tus.uploader(file_stream=io.BytesIO(img), chunk_size=256 * 1024, metadata=meta).upload()
        lat.append((time.perf_counter() - t) * 1000)
    seconds = time.perf_counter() - start
    with httpx.Client(base_url=server.url, timeout=60) as client:
        arrived = sum(
            client.get(f"/api/v1/reports/{rid}", headers=headers).json()["photos"][0]["arrived"] for rid, _, _ in jobs
        )
    assert arrived == count, f"only {arrived} of {count} photos arrived"
    mb = sum(len(i) for i in images) / (1024 * 1024)
    return {"per_s": count / seconds, "mb_s": mb / seconds, "p50_ms": statistics.median(lat), "p95_ms": max(lat)}


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used: a figure the machine's other load disturbs far less
    than requests per second do."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _round(server: LiveServer, seconds: int, env: dict[str, str], run: int) -> dict[str, Any]:
    """One round: the empty-endpoint floor, first sends, then resends of ids every thread is sure to have made."""
    assert server.proc is not None
    pid = server.proc.pid
    env = {**env, "RUN": str(run)}
    empty = _wrk(f"{server.url}/healthz", seconds, script=False)
    cpu = _cpu_s(pid)
    first = _wrk(server.url, seconds, {**env, "RESEND": "0"})
    first["cpu_ms"] = (_cpu_s(pid) - cpu) * 1000 / first["created"]
    assert first["other"] == 0 and first["ok"] == 0, first["text"]
    cpu = _cpu_s(pid)
    # The last in-flight ids of a thread may not have been created: resend only those below every thread's count.
    resend = _wrk(server.url, seconds, {**env, "RESEND": str(first["min_created"] - CONNECTIONS)})
    resend["cpu_ms"] = (_cpu_s(pid) - cpu) * 1000 / resend["ok"]
    assert resend["created"] == 0 and resend["other"] == 0, resend["text"]
    return {"empty": empty, "first": first, "resend": resend}


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f} to {max(values):.0f})"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (floor, first sends, resends)")
    parser.add_argument("--photos", type=int, default=30)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it)")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = LiveServer(work / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "100000"})
        assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
        server.start()
        try:
            with httpx.Client(base_url=server.url) as c:
                headers = register(c)
            body_file = work / "body.json"
            body_file.write_text(json.dumps(_body()))
            env = {"TOKEN": headers["Authorization"].split()[1], "BODY_FILE": str(body_file)}
            rounds = [_round(server, args.seconds, env, run) for run in range(1, args.rounds + 1)]
            created = sum(r["first"]["created"] for r in rounds)
            floor_rows = min(created, 5000)
            floor = bench_sqlite_floor(floor_rows, work)
            group = bench_sqlite_group_floor(floor_rows, work)
            photos = bench_photos(server, headers, args.photos)
        finally:
            server.stop()
    load_after = os.getloadavg()[0]

    def col(kind: str, key: str) -> list[float]:
        return [r[kind][key] for r in rounds]

    def med(kind: str, key: str, fmt: str) -> str:
        return format(statistics.median(col(kind, key)), fmt)

    lines = [
        f"wrk -t{THREADS} -c{CONNECTIONS}, {args.rounds} rounds of {args.seconds} s each (floor, first sends, "
        f"resends) on the same machine; one uvicorn worker; WAL, synchronous=FULL; "
        f"{created} first sends, {sum(col('resend', 'ok')):.0f} resends, {args.photos} photos. "
        f"Load average {load_before:.1f} before, {load_after:.1f} after. "
        f"The SQLite floors store {floor_rows} reports each through the intake service (put_report), no HTTP: "
        f"one commit per report, one after another; and group-committed by the server's GroupCommitWriter "
        f"(which computes the batch's clocks before its commit), {CONNECTIONS} writers at once as wrk's "
        f"{CONNECTIONS} connections, "
        f"each waiting for its commit before sending the next: {_batches(group['batches'])}. "
        f"{CONNECTIONS} per commit is the most the server can group under -c{CONNECTIONS} (each connection has "
        f"one request in flight), so this floor pays no more commits (fsyncs) per report than the server does.",
        "",
        "| what | per second: median (range) | p50 ms | p95 ms | server CPU per request |",
        "|---|---:|---:|---:|---:|",
        f"| floor: same server, empty endpoint (GET /healthz) | {_spread(col('empty', 'per_s'))} | "
        f"{med('empty', 'p50_ms', '.1f')} |  |  |",
        f"| report PUT, first send (201) | {_spread(col('first', 'per_s'))} | {med('first', 'p50_ms', '.1f')} | "
        f"{med('first', 'p95_ms', '.1f')} | {med('first', 'cpu_ms', '.2f')} ms |",
        f"| report PUT, resend of the same content (200) | {_spread(col('resend', 'per_s'))} | "
        f"{med('resend', 'p50_ms', '.1f')} | {med('resend', 'p95_ms', '.1f')} | {med('resend', 'cpu_ms', '.2f')} ms |",
    ]
    lines += [
        f"| floor: the same rows straight into SQLite, one commit each | {floor['per_s']:.0f} | "
        f"{floor['p50_ms']:.1f} | {floor['p95_ms']:.2f} |  |",
        f"| floor: the same rows straight into SQLite, group-committed ({CONNECTIONS} writers, "
        f"up to {max(group['batches'])} per commit) | {group['per_s']:.0f} | {group['p50_ms']:.1f} | "
        f"{group['p95_ms']:.2f} |  |",
        "",
        "| photo upload over tus, 1 MB JPEG, 256 KiB chunks | per second | p50 ms | MB/s |",
        "|---|---:|---:|---:|",
        f"| {args.photos} photos, one after another | {photos['per_s']:.1f} | {photos['p50_ms']:.0f} | "
        f"{photos['mb_s']:.1f} |",
    ]
    table = "\n".join(lines)
    print(table)
    return table


if __name__ == "__main__":
    main()
