"""Farmer app sync over a throttled link: 50 reports with 3 photos each through a 256 kbit/s proxy.

The app's sync engine (app/sync) sends a phone's outbox to the real backend through tests/proxy.py, throttled
to 256 kbit/s each way (a weak rural 3G signal). Measured in one run, side by side:
  - the floor: the payload (reports' JSON and photos' bytes) divided by the link's rate, the least time any
    client could take;
  - the same outbox over the same proxy unthrottled (loopback), to show what the server and the phone's
    own work cost;
  - the throttled run: total time (target: no more than the floor plus the unthrottled run, i.e. the link's
    time and the work's time added, with nothing wasted on waits or resends), when the last report's words
    had arrived (they go before any photo), and bytes sent by the app over the payload.

Photos are small generated JPEGs (default 220x220 noise, about 38 KB) so that the run takes minutes; the
per-request overhead is the same for larger photos, so the bytes ratio only improves with them.

Run: .venv/bin/python -m tests.benchmarks.bench_sync [--reports N] [--photos-each N] [--kbit N] [--photo-edge PX]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.sync.backoff import Backoff
from app.sync.engine import HEADERS, SyncEngine
from tests.app.sync_support import Phone, registered_phone, save_reports, server_holds, sync_server
from tests.proxy import FaultProxy
from tests.support import LiveServer


@dataclass
class Run:
    seconds: float
    words_seconds: float
    bytes_up: int
    payload: int
    complete: bool


async def _sync(phone: Phone, url: str, reports: int) -> tuple[float, float, bool]:
    engine = SyncEngine(
        phone.store,
        url,
        client_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(60, connect=10), headers=HEADERS),
        backoff=Backoff(first_s=0.5, max_s=4, rng=random.Random(1)),
    )
    started = time.monotonic()
    words_at: list[float] = []

    async def watch_words() -> None:
        while True:
            with phone.store.read() as db:
                sent = db.execute("SELECT count(*) FROM reports WHERE sent_at IS NOT NULL").fetchone()[0]
            if sent >= reports:
                words_at.append(time.monotonic() - started)
                return
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch_words())
    try:
        complete = await engine.drain(1800)
    finally:
        await engine.close()
    elapsed = time.monotonic() - started
    await asyncio.wait_for(watcher, 5)
    return elapsed, words_at[0], complete


def _one(server: LiveServer, work: Path, args: argparse.Namespace, rate: float | None) -> Run:
    phone = registered_phone(work, server.url)
    save_reports(phone, reports=args.reports, photos_each=args.photos_each, seed=11, photo_edge=args.photo_edge)
    with FaultProxy(server.port, lifetime_s=3600) as proxy:
        proxy.throttle(rate)
        seconds, words, complete = asyncio.run(_sync(phone, proxy.url, args.reports))
        proxy.wait_idle(30)
        up = proxy.bytes_up
    held = server_holds(server)
    for report_id, photos in phone.photos.items():
        complete = complete and held.reports.get(report_id) == 1
        complete = complete and all(held.photos.get((report_id, p)) == sha for p, sha in photos.items())
    phone.store.close()
    return Run(seconds, words, up, phone.payload_bytes, complete)


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_sync")
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--photos-each", type=int, default=3)
    parser.add_argument("--kbit", type=float, default=256)
    parser.add_argument("--photo-edge", type=int, default=220)
    args = parser.parse_args(argv)
    rate = args.kbit * 1000 / 8
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        server = sync_server(Path(tmp) / "server")
        try:
            fast = _one(server, Path(tmp) / "phone-fast", args, None)
            slow = _one(server, Path(tmp) / "phone-slow", args, rate)
        finally:
            server.stop()
    floor = slow.payload / rate
    photos = args.reports * args.photos_each
    lines = [
        f"{args.reports} reports with {photos} photos ({slow.payload / 1e6:.2f} MB of payload: reports' JSON and "
        f"{args.photo_edge}x{args.photo_edge} JPEGs), one phone, through tests/proxy.py throttled to "
        f"{args.kbit:g} kbit/s each way. Every report and photo arrived exactly once with matching SHA-256: "
        f"{'yes' if fast.complete and slow.complete else '**no**'}.",
        "",
        "| measurement | result | target | met | baseline (same run) |",
        "|---|---|---|---|---|",
        f"| Time to send everything at {args.kbit:g} kbit/s | {slow.seconds:.1f} s ({slow.seconds / floor:.2f}x "
        f"the floor) | at most the floor plus the unthrottled time | "
        f"{'yes' if slow.seconds <= floor + fast.seconds else '**no**'} | floor (payload / rate) {floor:.1f} s; "
        f"unthrottled {fast.seconds:.1f} s |",
        f"| All {args.reports} reports' words delivered after | {slow.words_seconds:.1f} s | before the photos | "
        f"{'yes' if slow.words_seconds < slow.seconds / 2 else '**no**'} | all photos done at {slow.seconds:.1f} s |",
        f"| Bytes sent by the app / payload, throttled | {slow.bytes_up / slow.payload:.3f} "
        f"({slow.bytes_up:,} / {slow.payload:,}) | <= 1.05 | "
        f"{'yes' if slow.bytes_up <= 1.05 * slow.payload else '**no**'} "
        f"| unthrottled {fast.bytes_up / fast.payload:.3f} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(main(sys.argv[1:]))
