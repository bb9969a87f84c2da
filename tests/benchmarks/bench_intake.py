"""Intake throughput through the real server (one uvicorn worker, WAL + synchronous=FULL).

Measured in one run, side by side:
  - floor 1: the same server answering an empty endpoint (GET /healthz), same client and concurrency;
  - report PUTs, first sends (201) and resends of the same content (200);
  - floor 2: the same rows inserted straight into SQLite, one durable transaction per report, no HTTP;
  - photo uploads over tus (1 MB JPEGs), MB/s.

Run: .venv/bin/python -m tests.benchmarks.bench_intake [--reports N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from backend.db import open_and_migrate
from backend.services.reports import put_report
from tests.support import DEMO_AREAS, LiveServer, jpeg_bytes, photo_decl, register, report_body
from wire.reports import ReportCreate

CONCURRENCY = 16


async def _drive(
    n: int, make: Callable[[httpx.AsyncClient, int], Awaitable[int]], url: str
) -> tuple[float, list[float]]:
    """Run n requests with CONCURRENCY in flight; returns (seconds, per-request latencies in ms)."""
    latencies: list[float] = []
    next_i = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal next_i
            while next_i < n:
                i = next_i
                next_i += 1
                t = time.perf_counter()
                status = await make(client, i)
                latencies.append((time.perf_counter() - t) * 1000)
                if status >= 300:
                    raise RuntimeError(f"request {i} answered {status}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - start, latencies


def _row(label: str, n: int, seconds: float, latencies: list[float]) -> dict[str, Any]:
    lat = sorted(latencies)
    return {
        "what": label,
        "n": n,
        "per_s": n / seconds,
        "p50_ms": statistics.median(lat) if lat else float("nan"),
        "p95_ms": lat[int(len(lat) * 0.95) - 1] if lat else float("nan"),
    }


def bench_sqlite_floor(bodies: list[dict[str, Any]], work: Path) -> dict[str, Any]:
    """The same intake rows written straight to SQLite, one durable commit per report (no HTTP, no event loop)."""
    db = open_and_migrate(work / "floor.db")
    from backend.services.areas import import_areas

    import_areas(db, DEMO_AREAS)
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES ('d', 'h', 'n', '07700900123', 'now')"
    )
    parsed = [ReportCreate.model_validate(b) for b in bodies]
    now = datetime.now(UTC)
    start = time.perf_counter()
    lat = []
    for body in parsed:
        t = time.perf_counter()
        put_report(db, "d", str(uuid.uuid4()), body, now)
        lat.append((time.perf_counter() - t) * 1000)
    seconds = time.perf_counter() - start
    db.close()
    return _row("floor: intake rows straight into SQLite (no HTTP)", len(parsed), seconds, lat)


def bench_photos(server: LiveServer, headers: dict[str, str], count: int) -> dict[str, Any]:
    from tusclient import client as tus_client

    images = [jpeg_bytes(1400, 1000, (i * 7 % 255, 120, 40), quality=98) for i in range(count)]
    # Pad the JPEGs to about 1 MB with a comment segment so each upload moves a realistic phone photo size.
    images = [_pad_jpeg(img, 1024 * 1024) for img in images]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        jobs = []
        for img in images:
            decl = photo_decl(img)
            rid = str(uuid.uuid4())
            r = client.put(f"/api/v1/reports/{rid}", json=report_body(photos=[decl]), headers=headers)
            assert r.status_code == 201, r.text
            jobs.append((rid, decl, img))
    tus = tus_client.TusClient(f"{server.url}/api/v1/uploads/", headers=headers)
    start = time.perf_counter()
    lat = []
    for rid, decl, img in jobs:
        t = time.perf_counter()
        meta = {
            "report_id": rid,
            "photo_id": decl["photo_id"],
            "sha256": decl["sha256"],
            "content_type": "image/jpeg",
            "filename": "photo.jpg",
            "filetype": "image/jpeg",
        }
        tus.uploader(file_stream=io.BytesIO(img), chunk_size=256 * 1024, metadata=meta).upload()
        lat.append((time.perf_counter() - t) * 1000)
    seconds = time.perf_counter() - start
    total_mb = sum(len(i) for i in images) / (1024 * 1024)
    row = _row(f"photo uploads over tus ({total_mb / count:.1f} MB each, 256 KiB chunks)", count, seconds, lat)
    row["mb_s"] = total_mb / seconds
    return row


def _pad_jpeg(data: bytes, size: int) -> bytes:
    missing = size - len(data)
    if missing <= 0:
        return data
    out = io.BytesIO()
    # APP markers may repeat: add COM segments of random-looking bytes after SOI.
    out.write(data[:2])
    rng = uuid.uuid4().bytes * 4096
    while missing > 4:
        chunk = min(missing - 4, 65533)
        out.write(b"\xff\xfe" + (chunk + 2).to_bytes(2, "big") + rng[:chunk])
        missing -= chunk + 4
    out.write(data[2:])
    return out.getvalue()


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--photos", type=int, default=30)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = LiveServer(work / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "100000"})
        done = server.cli("areas", "import", str(DEMO_AREAS))
        assert done.returncode == 0, done.stderr
        server.start()
        try:
            with httpx.Client(base_url=server.url) as c:
                headers = register(c)
                mode = c.get("/healthz")  # warm
                assert mode.status_code == 200
            ids = [str(uuid.uuid4()) for _ in range(args.reports)]
            bodies = [
                report_body(description=f"Benchmark report {i}", vehicles=[{"registration": "AB12 CDE"}])
                for i in range(args.reports)
            ]

            async def empty(client: httpx.AsyncClient, i: int) -> int:
                return (await client.get("/healthz")).status_code

            async def first(client: httpx.AsyncClient, i: int) -> int:
                return (await client.put(f"/api/v1/reports/{ids[i]}", json=bodies[i], headers=headers)).status_code

            secs, lat = asyncio.run(_drive(args.reports, empty, server.url))
            rows.append(_row("floor: same server, empty endpoint (GET /healthz)", args.reports, secs, lat))
            secs, lat = asyncio.run(_drive(args.reports, first, server.url))
            rows.append(_row("report PUT, first send (201)", args.reports, secs, lat))
            secs, lat = asyncio.run(_drive(args.reports, first, server.url))
            rows.append(_row("report PUT, resend of the same content (200)", args.reports, secs, lat))
            rows.append(bench_sqlite_floor(bodies, work))
            rows.append(bench_photos(server, headers, args.photos))
        finally:
            server.stop()
    lines = [
        f"Concurrency {CONCURRENCY} (asyncio httpx client in a second process on the same 2-core machine).",
        "",
        "| what | n | per second | p50 ms | p95 ms | MB/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        mb = f"{r['mb_s']:.1f}" if "mb_s" in r else ""
        lines.append(f"| {r['what']} | {r['n']} | {r['per_s']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {mb} |")
    table = "\n".join(lines)
    print(table)
    return table


if __name__ == "__main__":
    main()
