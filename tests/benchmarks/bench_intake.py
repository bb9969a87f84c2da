"""Intake throughput through the real server (one uvicorn worker, WAL + synchronous=FULL).

Measured in one run, side by side:
  - floor 1: the same server answering an empty endpoint (GET /healthz), same load generator;
  - report PUTs, first sends (201) and resends of the same content (200);
  - floor 2: the same rows inserted straight into SQLite, one durable transaction per report, no HTTP;
  - photo uploads over tus (1 MB JPEGs, 256 KiB chunks), photos/s and MB/s.

The HTTP load comes from wrk (Debian's package; written in C, so the load generator is not what is measured)
with tests/benchmarks/wrk/put_reports.lua, 2 threads and 16 connections, for a fixed duration.

Run: .venv/bin/python -m tests.benchmarks.bench_intake [--seconds S]
"""

from __future__ import annotations

import argparse
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from backend.db import open_and_migrate
from backend.services.areas import import_areas
from backend.services.reports import put_report
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


def bench_sqlite_floor(count: int, work: Path) -> dict[str, Any]:
    """The same intake rows written straight to SQLite by the intake service, one durable commit per report."""
    db = open_and_migrate(work / "floor.db")
    import_areas(db, DEMO_AREAS)
    db.execute("INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES ('d', 'h', 'n', '0770090', 'now')")
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


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--photos", type=int, default=30)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it)")
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
            env = {"TOKEN": headers["Authorization"].split()[1], "BODY_FILE": str(body_file), "RUN": "1"}
            empty = _wrk(f"{server.url}/healthz", args.seconds, script=False)
            first = _wrk(server.url, args.seconds, {**env, "RESEND": "0"})
            assert first["other"] == 0 and first["ok"] == 0, first["text"]
            # Resend ids every thread is sure to have created (the last in-flight ones may not have been).
            resend = _wrk(server.url, args.seconds, {**env, "RESEND": str(first["min_created"] - CONNECTIONS)})
            assert resend["created"] == 0 and resend["other"] == 0, resend["text"]
            floor = bench_sqlite_floor(min(first["created"], 5000), work)
            photos = bench_photos(server, headers, args.photos)
        finally:
            server.stop()
    rows = [
        ("floor: same server, empty endpoint (GET /healthz)", empty["per_s"], empty["p50_ms"], "", ""),
        ("report PUT, first send (201)", first["per_s"], first["p50_ms"], f"{first['p95_ms']:.1f}", ""),
        (
            "report PUT, resend of the same content (200)",
            resend["per_s"],
            resend["p50_ms"],
            f"{resend['p95_ms']:.1f}",
            "",
        ),
        (
            "floor: the same rows straight into SQLite, one commit each",
            floor["per_s"],
            floor["p50_ms"],
            f"{floor['p95_ms']:.2f}",
            "",
        ),
        (
            "photo upload over tus, 1 MB JPEG, 256 KiB chunks",
            photos["per_s"],
            photos["p50_ms"],
            "",
            f"{photos['mb_s']:.1f}",
        ),
    ]
    lines = [
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s on the same machine; one uvicorn worker; "
        f"WAL, synchronous=FULL; {first['created']} first sends, {resend['ok']} resends, {args.photos} photos.",
        "",
        "| what | per second | p50 ms | p95 ms | MB/s |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {w} | {r:.0f} | {p50:.1f} | {p95} | {mb} |" for w, r, p50, p95, mb in rows]
    table = "\n".join(lines)
    print(table)
    return table


if __name__ == "__main__":
    main()
