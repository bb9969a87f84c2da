"""UK time: the zone every date a person reads is in, and the UK calendar month the summaries count by."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def uk_month(moment: datetime) -> int:
    """The UK calendar month (yyyymm) of an aware time. The summaries' stored month is the same rule in SQL
    (backend/migrations/m0005_summary_facts.py), tested against this one."""
    local = moment.astimezone(LONDON)
    return local.year * 100 + local.month
