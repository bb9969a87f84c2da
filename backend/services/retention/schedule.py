"""The purge as a daily job inside the server, started and stopped with it like the sweep (clocks/sweep.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from backend.db import ConnectionPool
from backend.services.retention import purge
from backend.settings import Settings
from backend.time_source import Clock

log = logging.getLogger("hedgerow.retention")


def schedule(pool: ConnectionPool, settings: Settings, clock: Clock) -> asyncio.Task[None] | None:
    """Purge every `settings.retention_interval_s` seconds (a day by default), the first time one interval after
    start-up; None when turned off (0), for deployments that run `hedgerow retention run` from cron."""
    if settings.retention_interval_s <= 0:
        return None

    def once() -> None:
        with pool.connection() as db:
            result = purge.run(db, settings, clock())
        log.info("retention: %s", result.report().replace("\n", "; "))

    async def loop() -> None:
        while True:
            await asyncio.sleep(settings.retention_interval_s)
            try:
                await asyncio.to_thread(once)
            except Exception:  # a failed purge must not stop the next one; it is logged with its traceback
                log.exception("retention purge failed")

    return asyncio.create_task(loop(), name="hedgerow-retention")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
