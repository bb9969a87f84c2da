"""When to try again after a failure that time may cure: exponential, with jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST_DELAY_S = 30.0
MAX_DELAY_S = 15 * 60.0


@dataclass
class Backoff:
    """Consecutive failures double the wait, from `first_s` up to `max_s`. Jitter (a random 50-100% of the
    wait) keeps a valley of phones that lost the same mast from all coming back in the same second."""

    first_s: float = FIRST_DELAY_S
    max_s: float = MAX_DELAY_S
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def failed(self) -> float:
        """Record a failure; returns how long to wait before the next attempt."""
        self.failures += 1
        return self.current()

    def current(self) -> float:
        if self.failures == 0:
            return 0.0
        ceiling = min(self.max_s, self.first_s * 2 ** (self.failures - 1))
        return ceiling * (0.5 + 0.5 * self.rng.random())

    def reset(self) -> None:
        """A success, or connectivity came back: the next failure starts from the first delay again."""
        self.failures = 0
