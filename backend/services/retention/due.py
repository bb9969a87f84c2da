"""What the retention policy says has been kept long enough at a moment: the purge's plan, and the dry run's list.

Reports held as evidence are never due. A report is due under one rule: a closed report under
`closed_duplicate_or_mistake` when its last closing outcome was a duplicate or a mistake, else `closed_reports`
(its force's periods, or the national ones); a report outside every area under `unrouted_reports`, open or not.
A device is due when it has been silent (no report sent, nor registered) for `silent_devices` and none of its
reports is left once the reports due are gone. Times are compared as moments, not as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from backend.security import iso
from backend.services.retention.policy import SHORT_OUTCOMES, RetentionPolicy
from backend.tus.store import Upload

# Text times differ in their fractions of a second ('...:00Z' and '...:00.5Z' sort the wrong way round): the
# indexed text comparison takes a day more than needed, and the moment itself decides.
_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    kind: str  # report, device, upload, access_log
    rule: str
    period: str
    key: str  # the report, device or upload id ('' for the access log's entries, counted)
    force: str | None = None
    since: str = ""  # what the period is counted from (closure, receipt, last heard, start)
    count: int = 1


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def reports_due(db: sqlite_utils.Database, policy: RetentionPolicy, now: datetime) -> list[Due]:
    found: list[Due] = []
    latest_cutoff = max(
        (
            policy.period(rule, force, now).before(now)
            for rule in ("closed_reports", "closed_duplicate_or_mistake")
            for force in [None, *policy.forces_with_overrides(now)]
        ),
    )
    rows = db.execute(
        "SELECT r.id, r.force, r.closed_at, (SELECT json_extract(e.data, '$.outcome') FROM events e "
        "WHERE e.report_id = r.id AND e.kind = 'closed' ORDER BY e.id DESC LIMIT 1) AS outcome FROM reports r "
        "WHERE r.closed_at IS NOT NULL AND r.closed_at < ? AND r.status = 'closed' AND r.area_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM report_holds h WHERE h.report_id = r.id) ORDER BY r.closed_at",
        [iso(latest_cutoff + _SLACK)],
    ).fetchall()
    for r in rows:
        rule = "closed_duplicate_or_mistake" if r["outcome"] in SHORT_OUTCOMES else "closed_reports"
        period = policy.period(rule, r["force"], now)
        if _moment(r["closed_at"]) < period.before(now):
            found.append(Due("report", rule, str(period), r["id"], r["force"], r["closed_at"]))
    period = policy.period("unrouted_reports", None, now)
    rows = db.execute(
        "SELECT r.id, r.received_at FROM reports r WHERE r.area_id IS NULL AND r.received_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM report_holds h WHERE h.report_id = r.id) ORDER BY r.received_at",
        [iso(period.before(now) + _SLACK)],
    ).fetchall()
    found += [
        Due("report", "unrouted_reports", str(period), r["id"], None, r["received_at"])
        for r in rows
        if _moment(r["received_at"]) < period.before(now)
    ]
    return found


def devices_due(db: sqlite_utils.Database, policy: RetentionPolicy, now: datetime, going: set[str]) -> list[Due]:
    """Phones silent long enough whose every report is gone or `going` (partners' devices are never due)."""
    period = policy.period("silent_devices", None, now)
    cutoff = period.before(now)
    rows = db.execute(
        "SELECT d.id, coalesce(d.last_seen_at, d.created_at) AS heard FROM devices d "
        "WHERE d.kind = 'phone' AND coalesce(d.last_seen_at, d.created_at) < ?",
        [iso(cutoff + _SLACK)],
    ).fetchall()
    found = []
    for d in rows:
        if _moment(d["heard"]) >= cutoff:
            continue
        left = {r[0] for r in db.execute("SELECT id FROM reports WHERE device_id = ?", [d["id"]])}
        if left <= going:
            found.append(Due("device", "silent_devices", str(period), d["id"], None, d["heard"]))
    return found


def access_log_due(db: sqlite_utils.Database, policy: RetentionPolicy, now: datetime) -> Due:
    period = policy.period("staff_access_log", None, now)
    cutoff = iso(period.before(now))
    n = db.execute("SELECT count(*) FROM staff_reads WHERE at < ?", [cutoff]).fetchone()[0]
    return Due("access_log", "staff_access_log", str(period), "", None, cutoff, n)


def uploads_due(uploads: Iterable[Upload], policy: RetentionPolicy, now: datetime, reports: list[Due]) -> list[Due]:
    """Uploads never completed, started longer ago than the period; and any upload of a report that goes."""
    period = policy.period("incomplete_uploads", None, now)
    cutoff = period.before(now).timestamp()
    rule_of = {d.key: d for d in reports}
    found = []
    for u in uploads:
        report = rule_of.get(u.metadata.get("report_id", ""))
        if report is not None:
            found.append(Due("upload", report.rule, report.period, u.id, report.force, report.since))
        elif not u.done and u.created_at < cutoff:
            started = iso(datetime.fromtimestamp(u.created_at, now.tzinfo))
            found.append(Due("upload", "incomplete_uploads", str(period), u.id, None, started))
    return found
