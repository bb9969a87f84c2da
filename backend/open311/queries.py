"""GET requests: the spec's filters, its 90-day window and 1,000-item cap, and what the partner may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from backend.open311.errors import Open311Error
from backend.security import iso
from backend.services.clocks import response_clocks
from backend.services.partners import Partner
from wire.categories import BY_CODE

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def _listed(value: str | None) -> tuple[str, ...]:
    """A comma-delimited parameter, as the spec declares multiple values."""
    if value is None:
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


def parse_w3c(name: str, value: str) -> datetime:
    """A W3C datetime (2010-01-01T00:00:00Z); a date alone, or a time without a zone, is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime such as 2010-01-01T00:00:00Z, not {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_query(
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    now: datetime,
) -> RequestQuery:
    ids = _listed(service_request_id)
    if ids:
        # The spec: service_request_id overrides all other arguments.
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, f"at most {MAX_RESULTS} service_request_id values at once")
        return RequestQuery(ids=ids)
    codes = _listed(service_code)
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise Open311Error(400, f"unknown service_code: {', '.join(unknown)}")
    statuses = _listed(status)
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise Open311Error(400, f"status must be open or closed, not {', '.join(bad)}")
    start = parse_w3c("start_date", start_date) if start_date else None
    end = parse_w3c("end_date", end_date) if end_date else None
    # Unspecified ends default so that the window is always at most 90 days: the most recent 90 by default.
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_SPAN  # type: ignore[operator]
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return RequestQuery(codes=codes, statuses=statuses, start=start, end=end)


def _in(column: str, values: tuple[str, ...] | frozenset[str]) -> tuple[str, list[str]]:
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def _visible(partner: Partner) -> tuple[str, list[Any]]:
    """SQL for the reports this partner may read (the same rule as Partner.may_read)."""
    if not partner.categories or not partner.forces:
        return "device_id = ?", [partner.device_id]
    category_sql, category_args = _in("category", partner.categories)
    force_sql, force_args = _in("force", partner.forces)
    return f"(device_id = ? OR ({category_sql} AND {force_sql}))", [partner.device_id, *category_args, *force_args]


def find_requests(db: sqlite_utils.Database, partner: Partner, query: RequestQuery) -> list[dict[str, Any]]:
    """Newest first, at most 1,000."""
    visible_sql, args = _visible(partner)
    where = [visible_sql]
    if query.ids:
        sql, ids = _in("id", query.ids)
        where.append(sql)
        args += ids
    else:
        where.append("received_at >= ? AND received_at <= ?")
        args += [iso(query.start), iso(query.end)]  # type: ignore[arg-type]
        if query.codes:
            sql, codes = _in("category", query.codes)
            where.append(sql)
            args += codes
        if set(query.statuses) == {"closed"}:
            where.append("status = 'closed'")
        elif set(query.statuses) == {"open"}:
            where.append("status != 'closed'")
    rows = db.execute(
        f"SELECT * FROM reports WHERE {' AND '.join(where)} ORDER BY received_at DESC, id LIMIT ?",
        [*args, MAX_RESULTS],
    ).fetchall()
    return [dict(r) for r in rows]


def media_urls(db: sqlite_utils.Database, partner: Partner, report_ids: list[str]) -> dict[str, str]:
    """The media_url the partner sent with its own requests."""
    urls: dict[str, str] = {}
    for start in range(0, len(report_ids), 500):
        chunk = report_ids[start : start + 500]
        sql, args = _in("report_id", tuple(chunk))
        rows = db.execute(
            f"SELECT report_id, media_url FROM partner_requests WHERE partner_id = ? AND media_url IS NOT NULL "
            f"AND {sql}",
            [partner.id, *args],
        ).fetchall()
        urls.update({r["report_id"]: r["media_url"] for r in rows})
    return urls


def expected_times(db: sqlite_utils.Database, report_ids: list[str], now: datetime) -> dict[str, datetime]:
    """Each report's `expected_datetime`: the earliest due time of the clocks the farmer sees that are still
    unsatisfied (running, or run out). A report with none, such as a closed one, has none."""
    due: dict[str, datetime] = {}
    for report_id, report_clocks in response_clocks.compute_many(db, report_ids, now).items():
        pending = [c.due for c in report_clocks.clocks if c.public and c.stop is None and c.due is not None]
        if pending:
            due[report_id] = min(pending)
    return due
