"""The purge as a daily job inside the server, started and stopped with it like the sweep (clocks/sweep.py)."""

from __future__ import annotations

import asyncio
import logging

from backend.db import ConnectionPool
from backend.services import periodic
from backend.services.retention import purge
from backend.settings import Settings
from backend.time_source import Clock

log = logging.getLogger("hedgerow.retention")


def schedule(pool: ConnectionPool, settings: Settings, clock: Clock) -> asyncio.Task[None] | None:
    """Purge every `settings.retention_interval_s` seconds (a day by default), the first time one interval after
    start-up; None when turned off (0), for deployments that run `hedgerow retention run` from cron."""

    def once() -> None:
        with pool.connection() as db:
            result = purge.run(db, settings, clock())
        log.info("retention: %s", result.report().replace("\n", "; "))

    return periodic.every(settings.retention_interval_s, once, "retention", log)


stop = periodic.stop
