"""What every alert module reads the same way: a stored time, and one alert's row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import iso
from backend.services.errors import NotFound


def stamp(moment: datetime) -> str:
    """A stored time: UTC to the second, so that stored times compare as text."""
    return iso(moment.replace(microsecond=0))


def alert_row(db: sqlite_utils.Database, alert_id: int) -> dict[str, Any]:
    row = db.execute("SELECT * FROM alerts WHERE id = ?", [alert_id]).fetchone()
    if row is None:
        raise NotFound("no such alert")
    return dict(row)
