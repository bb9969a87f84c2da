"""Photo uploads over tus through the real server on loopback, beside the floor of writing the same bytes to a file.

Measured in one run, in rounds (the shared VM's speed drifts), each a median of its rounds:
  - floor: the same pieces written to a file in the server's data directory, one fdatasync per piece (what the
    server does for every PATCH), no HTTP;
  - PATCH throughput without and with Upload-Checksum (sha1), pieces of 256 KiB, 4 MiB uploads stopped one piece
    short of the end so that only the protocol is measured (no photo is decoded);
  - whole photos end to end (create, PATCHes, the photo checked, stored and its two copies made), photos/s;
  - the contention scenario of tests/backend/test_tus_contention.py: /healthz p99 while 8 PATCHes go to one
    upload and 8 to others.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.backend.intake import OFFSET_OCTETS, UPLOADS, noise_jpeg, put_report, tus_metadata
from tests.support import LiveServer, photo_decl, register

PIECES = (256 * 1024, 1024 * 1024)
UPLOAD_BYTES = 4 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def _meta(rid: str, decl: dict[str, Any]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in tus_metadata(rid, decl).items())


def _declare(client: httpx.Client, device: dict[str, str], data: bytes) -> tuple[str, dict[str, Any]]:
    decl = photo_decl(data)
    rid, r = put_report(client, device, photos=[decl])
    assert r.status_code == 201, r.text
    return rid, decl


def _create(client: httpx.Client, device: dict[str, str], rid: str, decl: dict[str, Any]) -> str:
    headers = {**device, **TUS, "Upload-Length": str(decl["bytes"]), "Upload-Metadata": _meta(rid, decl)}
    r = client.post(UPLOADS, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.url.join(r.headers["location"]))


def _send(
    client: httpx.Client, device: dict[str, str], url: str, data: bytes, end: int, checksum: bool, size: int
) -> None:
    for offset in range(0, end, size):
        piece = data[offset : min(offset + size, end)]
        headers = {**device, **TUS, "Upload-Offset": str(offset), "Content-Type": OFFSET_OCTETS}
        if checksum:
            headers["Upload-Checksum"] = "sha1 " + base64.b64encode(hashlib.sha1(piece).digest()).decode()
        r = client.patch(url, content=piece, headers=headers)
        assert r.status_code == 204, r.text


def floor_mb_s(directory: Path, data: bytes, uploads: int, size: int) -> float:
    end = UPLOAD_BYTES - size
    started = time.perf_counter()
    for i in range(uploads):
        path = directory / f"floor-{i}.bin"
        with open(path, "wb") as f:
            for offset in range(0, end, size):
                f.write(data[offset : min(offset + size, end)])
                f.flush()
                os.fdatasync(f.fileno())
        path.unlink()
    return end * uploads / (time.perf_counter() - started) / 1e6


def patch_mb_s(
    client: httpx.Client, device: dict[str, str], uploads: int, checksum: bool, seed: int, size: int
) -> float:
    jobs = []
    for i in range(uploads):
        data = random_bytes(seed + i)
        rid, decl = _declare(client, device, data)
        jobs.append((_create(client, device, rid, decl), data))
    end = UPLOAD_BYTES - size
    started = time.perf_counter()
    for url, data in jobs:
        _send(client, device, url, data, end, checksum, size)
    return end * uploads / (time.perf_counter() - started) / 1e6


def photos_per_s(client: httpx.Client, device: dict[str, str], photos: list[bytes]) -> tuple[float, float]:
    jobs = []
    for data in photos:
        rid, decl = _declare(client, device, data)
        jobs.append((_create(client, device, rid, decl), data))
    started = time.perf_counter()
    for url, data in jobs:
        _send(client, device, url, data, len(data), checksum=False, size=PIECES[0])
    seconds = time.perf_counter() - started
    return len(photos) / seconds, sum(map(len, photos)) / seconds / 1e6


def random_bytes(seed: int) -> bytes:
    return random.Random(seed).randbytes(UPLOAD_BYTES)


def contention(server: LiveServer, client: httpx.Client) -> tuple[float, float, float]:
    """The contention test's storm, measured: (probe p99 alone, p99 during, max during) in ms."""
    from tests.backend import test_tus_contention as storm

    device = register(client)
    shared, *others = storm.photos_for(client, device, 9, seed=900)
    urls = [storm.location(client, device, rid, decl) for _, rid, decl in [shared, *others]]
    jobs = [(urls[0], shared[0])] * 8 + [(url, data) for url, (data, _, _) in zip(urls[1:], others, strict=True)]
    gate = threading.Barrier(len(jobs))

    def send(i: int) -> None:
        gate.wait()
        storm.patch_all(jobs[i][0], device, jobs[i][1])

    with storm.Probe(server.url) as probe:
        time.sleep(1.5)
        start = time.time()
        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        end = time.time()
    alone, during = probe.between(0, start), probe.between(start, end)
    return storm.p99(alone) * 1000, storm.p99(during) * 1000, max(during) * 1000


def run(rounds: int = 3, uploads: int = 6, photo_count: int = 10) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        server = LiveServer(Path(tmp) / "data", env={"HEDGEROW_REGISTER_PER_HOUR": "100000"}).start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                device = register(client)
                photos = [noise_jpeg(500 + i, 900, 700) for i in range(photo_count)]
                rates: dict[tuple[str, int], list[float]] = {}
                storms = []
                for r in range(rounds):
                    for size in PIECES:
                        seed = 10_000 * r + size // 1024
                        rates.setdefault(("floor", size), []).append(
                            floor_mb_s(server.data_dir, random_bytes(seed), uploads, size)
                        )
                        for kind, checksum in (("plain", False), ("sha1", True)):
                            rate = patch_mb_s(client, device, uploads, checksum, seed + (7 if checksum else 3), size)
                            rates.setdefault((kind, size), []).append(rate)
                    storms.append(contention(server, client))
                # Once: a photo is stored once by its hash, so sending the same ones again would store nothing.
                whole, whole_mb = photos_per_s(client, device, photos)
        finally:
            server.stop()
    med = statistics.median
    photo_kb = statistics.mean(len(p) for p in photos) / 1000
    labels = {
        "floor": "floor: the same pieces to a file, fdatasync each",
        "plain": "tus PATCH, no checksum",
        "sha1": "tus PATCH, Upload-Checksum sha1",
    }
    rows = [
        "| what (loopback, one client) | piece | MB/s: median (range) | share of the floor |",
        "|---|---|---:|---:|",
    ]
    for size in PIECES:
        floor = med(rates[("floor", size)])
        for kind, label in labels.items():
            got = rates[(kind, size)]
            rows.append(
                f"| {label} | {size // 1024} KiB | {med(got):.0f} ({min(got):.0f} to {max(got):.0f}) "
                f"| {med(got) / floor:.0%} |"
            )
    rows += [
        "",
        "| end to end | result |",
        "|---|---:|",
        f"| whole photos ({photo_count} noise JPEGs of {photo_kb:.0f} KB in 256 KiB pieces: create, PATCHes, "
        f"checked, stored, "
        f"two copies made) | {whole:.1f} photos/s ({whole_mb:.1f} MB/s) |",
        f"| /healthz p99 alone, before the storm (median of {rounds} runs) | {med(s[0] for s in storms):.1f} ms |",
        f"| /healthz p99 while 8 PATCHes hit one upload and 8 others (median of {rounds}; target < 100 ms) "
        f"| {med(s[1] for s in storms):.1f} ms |",
        f"| /healthz slowest while they contend (worst of {rounds}) | {max(s[2] for s in storms):.1f} ms |",
    ]
    notes = (
        f"\n{rounds} rounds; each row moves {uploads} uploads of {UPLOAD_BYTES // 2**20} MiB stopped one piece "
        "short of the end (random bytes: nothing is decoded). The server writes each piece in worker threads "
        "and fdatasyncs it before promising its offset, as the floor does; the checksum is computed in the "
        "same threads. The gap to the floor is per request (HTTP on both sides, the device token checked, the "
        "upload's record read and rewritten): it shrinks as pieces grow. The storm is "
        "tests/backend/test_tus_contention.py's (9 noise JPEGs of 700 x 500), with the probe in a process of its "
        "own; the slowest probe is the event loop's worst stall."
    )
    return "\n".join(rows) + "\n" + notes
