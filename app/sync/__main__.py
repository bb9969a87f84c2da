"""Send the phone's outbox from the command line: `python -m app.sync --data-dir DIR --server URL`.

What the app does in the background, as one run that ends when nothing is waiting (or the time is up). Used
by the kill-and-resume test, which must kill a real process mid-upload, and handy on a test phone.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx

from app.store import Store
from app.sync.backoff import Backoff
from app.sync.engine import HEADERS, SyncEngine
from app.sync.tus import ChunkSizer


async def _run(args: argparse.Namespace) -> int:
    store = Store(Path(args.data_dir))
    engine = SyncEngine(
        store,
        args.server,
        client_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(args.timeout, connect=5.0), headers=HEADERS),
        backoff=Backoff(first_s=args.backoff_s, max_s=args.backoff_s * 8),
        sizer=ChunkSizer(size=args.chunk_kib * 1024, high=max(args.chunk_kib * 1024, args.max_chunk_kib * 1024)),
    )
    try:
        done = await engine.drain(args.time_limit)
    finally:
        await engine.close()
        store.close()
    print("done" if done else f"not finished: {engine.status.last_error}", flush=True)
    return 0 if done else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m app.sync")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--backoff-s", type=float, default=30.0)
    parser.add_argument("--chunk-kib", type=int, default=256)
    parser.add_argument("--max-chunk-kib", type=int, default=4096)
    return asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
