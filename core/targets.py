"""Response targets as the policy writes them ('2 hours', '60 minutes', '30 days', '1 working day'), read alike
by the server, which measures them (backend/services/clocks/working_time.py), and by the phone, which estimates
them while it has not heard the server's due time."""

from __future__ import annotations

import re
from typing import Literal

Unit = Literal["minutes", "hours", "days", "working_days"]
_UNITS: dict[str, Unit] = {"minute": "minutes", "hour": "hours", "day": "days", "working day": "working_days"}

_TARGET = re.compile(r"^\s*(\d{1,5})\s+(minute|hour|day|working day)s?\s*$", re.IGNORECASE)
# At most a year: a guard against targets nobody means (and loops over centuries of calendar).
MAX_AMOUNT: dict[str, int] = {"minutes": 366 * 24 * 60, "hours": 366 * 24, "days": 366, "working_days": 262}


class BadTarget(ValueError):
    pass


def parse_target(text: str) -> tuple[int, Unit]:
    """'2 hours' -> (2, 'hours'); '1 working day' -> (1, 'working_days'). Raises BadTarget."""
    match = _TARGET.match(text)
    if not match:
        raise BadTarget(
            f"a target is a whole number and a unit: 'N minutes', 'N hours', 'N days' or 'N working days', not {text!r}"
        )
    amount = int(match.group(1))
    unit = _UNITS[match.group(2).lower()]
    if not 1 <= amount <= MAX_AMOUNT[unit]:
        raise BadTarget(f"a target in {unit.replace('_', ' ')} must be between 1 and {MAX_AMOUNT[unit]} (a year)")
    return amount, unit
