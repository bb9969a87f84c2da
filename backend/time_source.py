"""The clock is injected everywhere, so tests can move time.

In production it is the system clock. A test that runs the real server in another process sets
HEDGEROW_CLOCK_FILE to a file holding an ISO 8601 time, and moves time by rewriting the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from backend.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return system_clock()
        return datetime.fromisoformat(text).astimezone(UTC) if text else system_clock()


def clock_for(settings: Settings) -> Clock:
    """The system clock, or in tests the one HEDGEROW_CLOCK_FILE names (read once, with the other settings)."""
    return FileClock(settings.clock_file) if settings.clock_file else system_clock
