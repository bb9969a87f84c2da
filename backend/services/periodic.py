"""Background jobs inside the server: run a job every N seconds in a worker thread until stopped.

The sweep and the retention purge both run this way. A failed run is logged with its traceback and the next one
still happens; the first run is one interval after start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable


def every(interval_s: float, job: Callable[[], None], name: str, log: logging.Logger) -> asyncio.Task[None] | None:
    """Run `job` every `interval_s` seconds on the running event loop's default executor; None when turned off
    (an interval of 0 or less)."""
    if interval_s <= 0:
        return None

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await asyncio.to_thread(job)
            except Exception:  # a bad run must not stop the next one
                log.exception("%s failed", name)

    return asyncio.create_task(loop(), name=f"hedgerow-{name}")


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel a job started by `every` and wait until it has stopped."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
