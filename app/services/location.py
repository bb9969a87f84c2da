"""Getting a good GPS fix: take the best of the fixes that come in for about 20 seconds.

A phone's first fix in a field is often a coarse network position; a better one follows within seconds.
Accuracy is the 68% radius the phone reports.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

FIX_BUDGET_S = 20.0
GOOD_ENOUGH_M = 10.0
POOR_ACCURACY_M = 50.0
_POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    accuracy_m: float

    @property
    def poor(self) -> bool:
        return self.accuracy_m > POOR_ACCURACY_M


class NoFix(RuntimeError):
    """No position at all: location is off, permission was refused, or the phone has no GPS."""


async def best_fix(
    get_position: Callable[[], Awaitable[Fix]],
    on_fix: Callable[[Fix], None] = lambda fix: None,
    budget_s: float = FIX_BUDGET_S,
    good_enough_m: float = GOOD_ENOUGH_M,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Fix:
    """Ask for positions until one is good enough or the budget is spent; returns the most accurate.

    `on_fix` is called with each improvement, so the farmer sees the accuracy shrink. Errors after a first
    fix are ignored (the fix we have is still good); with no fix at all, the last error is raised as NoFix.
    """
    deadline = monotonic() + budget_s
    best: Fix | None = None
    last_error: Exception | None = None
    while True:
        try:
            fix = await get_position()
        except Exception as exc:  # the platform's errors vary: permission, timeout, disabled service
            last_error = exc
        else:
            if best is None or fix.accuracy_m < best.accuracy_m:
                best = fix
                on_fix(fix)
            if best.accuracy_m <= good_enough_m:
                return best
        if monotonic() + _POLL_INTERVAL_S >= deadline:
            break
        await sleep(_POLL_INTERVAL_S)
    if best is None:
        raise NoFix(str(last_error) if last_error else "no position")
    return best
