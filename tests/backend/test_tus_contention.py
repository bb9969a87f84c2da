"""Must-show 2: uploads that contend never stall the server. tuspyserver waited up to 30 s for an upload's lock
inside the event loop, freezing every request; here a second writer is answered 423 at once and the loop keeps
answering. Timing bounds are set against that failure mode (seconds), not as benchmarks: the p99 figures are
printed here and recorded by `make bench` (tests/benchmarks/bench_photos.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest

from backend.tus.router import FLUSH_BYTES
from tests.backend.intake import OFFSET_OCTETS, UPLOADS, noise_jpeg, put_report, scalar, tus_metadata
from tests.proxy import Fault, FaultProxy
from tests.support import ROOT, LiveServer, photo_decl, register

TUS = {"Tus-Resumable": "1.0.0"}
# Far below the 30 s the old server froze for, far above what a busy shared 2-core machine adds.
AT_ONCE_S = 2.0
STALL_S = 10.0  # how long the proxy holds up the first writer in the held-up test
# The target for p99 is 100 ms (about 65 ms measured on a quiet shared 2-core VM, `make bench`). The bounds here
# leave room for a noisy neighbour, scaled by the probe's own p99 before the uploads start (same run), and still
# fail on any blocking of the loop measured in hundreds of milliseconds.
MAX_LAG_S = 1.0
P99_BOUND_S = 0.5
NOISE_FACTOR = 5


class Probe:
    """/healthz answered in a loop by a client in a process of its own (tests/backend/loop_probe.py)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: list[tuple[float, float]] = []  # (started, seconds), wall clock

    def __enter__(self) -> Probe:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.backend.loop_probe", self.url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self.proc.communicate(b"", timeout=60)  # closing stdin stops it
        assert self.proc.returncode == 0
        self.samples = [tuple(s) for s in json.loads(out)]

    def between(self, start: float, end: float) -> list[float]:
        return [s for t, s in self.samples if start <= t <= end]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def photos_for(client: httpx.Client, device: dict[str, str], count: int, seed: int) -> list[tuple[bytes, str, dict]]:
    out = []
    for i in range(count):
        data = noise_jpeg(seed + i, 700, 500)
        decl = photo_decl(data)
        rid, r = put_report(client, device, photos=[decl])
        assert r.status_code == 201, r.text
        out.append((data, rid, decl))
    return out


def location(client: httpx.Client, device: dict[str, str], rid: str, decl: dict[str, Any]) -> str:
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in tus_metadata(rid, decl).items())
    created = client.post(
        UPLOADS, headers={**device, **TUS, "Upload-Length": str(decl["bytes"]), "Upload-Metadata": meta}
    )
    assert created.status_code == 201, created.text
    return str(created.url.join(created.headers["location"]))


def patch_all(url: str, device: dict[str, str], data: bytes) -> tuple[int, float]:
    headers = {**device, **TUS, "Upload-Offset": "0", "Content-Type": OFFSET_OCTETS}
    started = time.monotonic()
    r = httpx.patch(url, content=data, headers=headers, timeout=60)
    return r.status_code, time.monotonic() - started


@pytest.mark.slow
def test_eight_patches_to_one_upload_and_eight_to_others_never_stall_the_loop(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    shared, *others = photos_for(client, device, 9, seed=600)
    shared_url = location(client, device, shared[1], shared[2])
    other_urls = [location(client, device, rid, decl) for _, rid, decl in others]

    jobs = [(shared_url, shared[0])] * 8 + [(url, data) for url, (data, _, _) in zip(other_urls, others, strict=True)]
    answers: list[tuple[int, float] | None] = [None] * len(jobs)
    gate = threading.Barrier(len(jobs))

    def send(i: int) -> None:
        gate.wait()
        answers[i] = patch_all(jobs[i][0], device, jobs[i][1])

    with Probe(server.url) as probe:
        time.sleep(1.5)  # a baseline of the probe alone, in the same run
        storm_start = time.time()
        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        storm_end = time.time()
    baseline = probe.between(0, storm_start)
    during = probe.between(storm_start, storm_end)
    print(
        f"\n/healthz p99 alone {p99(baseline) * 1000:.1f} ms, during the storm {p99(during) * 1000:.1f} ms "
        f"(max {max(during) * 1000:.1f} ms, {len(during)} probes); storm {storm_end - storm_start:.2f} s"
    )
    assert len(baseline) >= 20 and len(during) >= 5, "the probe ran before and while the uploads contended"
    noise = NOISE_FACTOR * p99(baseline)
    assert max(during) < max(MAX_LAG_S, 2 * noise), f"the event loop stalled {max(during):.2f} s"
    assert p99(during) < max(P99_BOUND_S, noise), f"/healthz p99 {p99(during) * 1000:.0f} ms while uploads contended"

    shared_answers = [a for a in answers[:8] if a is not None]
    statuses = sorted(status for status, _ in shared_answers)
    assert statuses.count(204) == 1 and set(statuses[1:]) <= {409, 423}, statuses
    losers = [seconds for status, seconds in shared_answers if status != 204]
    assert max(losers) < max(AT_ONCE_S, 2 * noise), f"a loser waited {max(losers):.2f} s for its answer"
    assert [a[0] for a in answers[8:] if a is not None] == [204] * 8

    for data, rid, decl in [shared, *others]:
        sha = decl["sha256"]
        assert hashlib.sha256(data).hexdigest() == sha
        assert client.get(f"/api/v1/reports/{rid}", headers=device).json()["photos"][0]["arrived"] is True
        assert scalar(server, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", sha) == 1
        original = server.data_dir / "photos" / "original" / sha[:2] / f"{sha}.jpg"
        assert hashlib.sha256(original.read_bytes()).hexdigest() == sha


def test_a_writer_held_up_mid_piece_does_not_make_anyone_wait(client: httpx.Client, server: LiveServer) -> None:
    """The old server's failure, made certain: one PATCH's client goes quiet half way (the proxy stalls it), and
    meanwhile a second PATCH, a HEAD and /healthz all come from other connections."""
    device = register(client)
    ((data, rid, decl),) = photos_for(client, device, 1, seed=700)
    url = location(client, device, rid, decl)
    headers = {**device, **TUS, "Upload-Offset": "0", "Content-Type": OFFSET_OCTETS}
    with FaultProxy(server.port) as proxy:
        # Stalled past the server's first flush to disk: bytes in the upload's file prove its handler holds the
        # lock (bytes merely forwarded by the proxy may still sit unread in a loaded server's socket).
        proxy.plan(Fault.stall("up", after=FLUSH_BYTES + 50_000, seconds=STALL_S))
        first: list[int] = []
        writer = threading.Thread(
            target=lambda: first.append(
                httpx.patch(url.replace(server.url, proxy.url), content=data, headers=headers, timeout=30).status_code
            )
        )
        writer.start()
        piece = server.data_dir / "uploads" / f"{url.rstrip('/').rsplit('/', 1)[-1]}.bin"
        deadline = time.monotonic() + 30
        while not (proxy.fired() and piece.exists() and piece.stat().st_size >= FLUSH_BYTES):
            assert time.monotonic() < deadline, "the first PATCH never reached the stall"
            time.sleep(0.01)

        started = time.monotonic()
        second = client.patch(url, content=data, headers=headers)
        locked_in = time.monotonic() - started
        assert second.status_code == 423
        assert "ask its offset and resume" in second.json()["message"]
        # Waiting for the lock would take the rest of the stall; half of it is a bound no loaded machine reaches.
        assert locked_in < STALL_S / 2, locked_in
        started = time.monotonic()
        assert client.head(url, headers={**device, **TUS}).headers["upload-offset"] == "0"
        assert client.get("/healthz").status_code == 200
        assert time.monotonic() - started < STALL_S / 2
        writer.join(30)
    assert first == [204], "the stalled writer finished once its link came back"
    assert client.get(f"/api/v1/reports/{rid}", headers=device).json()["photos"][0]["arrived"] is True
