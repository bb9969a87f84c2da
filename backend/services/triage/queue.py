"""The officer's queue: a force's reports, soonest or most overdue clock first, filtered, searched and paged.

Paging is by keyset (the last row's sort key), never OFFSET, so page 400 costs what page 1 costs. Three orders:
- "due": open reports by `reports.queue_due_s` (the soonest due time of an unsatisfied clock, kept by a trigger
  from the clocks module's stored clocks; see migrations/m0004_console.py), one range scan of `reports_queue`;
- "newest": by time received (closed reports, and "all", are listed this way: they have no clock running);
- "text": free-text search results, newest first, streamed from the FTS5 index in rowid order.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any, Literal

import sqlite_utils

from backend.i18n import N_
from backend.security import iso
from backend.services.clocks.policy import CLOCK_NAMES, FLAGS, clock_specs
from backend.services.errors import Invalid
from backend.services.triage import search
from core.uktime import LONDON

# The queue order of a report with nothing due: after every real due time (2100-01-01). The migration that
# made the queue's triggers (m0004_console) holds its own frozen copy of this number.
NOTHING_DUE = 4_102_444_800
PAGE_SIZE = 50
SEARCH_BUDGET_S = 1.0
MAP_LIMIT = 2000
OPEN_STATUSES = ("received", "acknowledged", "in_progress")
STATUS_CHOICES = ("open", *OPEN_STATUSES, "closed", "any")
Scope = Literal["force", "border"]
Assigned = Literal["any", "me", "none"]
Order = Literal["due", "newest", "text"]
# The views a shift works through, each a preset of the filter (see `view_preset`).
View = Literal["new", "due", "overdue", "backlog"]
VIEWS: dict[str, str] = {  # translated where they are shown
    "new": N_("New and unanswered"),
    "due": N_("Due soonest"),
    "overdue": N_("Most overdue"),
    "backlog": N_("Backlog"),
}
BACKLOG_DAYS = 30  # open and overdue by more than this: the backlog a supervisor reviews in bulk


@dataclass(frozen=True)
class QueueFilter:
    force: str
    scope: Scope = "force"
    status: str = "open"
    flag: str | None = None
    category: str | None = None
    area_id: int | None = None
    assigned: Assigned = "any"
    user_id: int | None = None  # whose "assigned to me"
    received_from: date | None = None
    received_to: date | None = None  # inclusive, a day in UK time
    text: str = ""
    sort: Literal["due", "newest"] = "due"
    border_m: float = 10_000
    # In the due order only: the soonest due time at or after / before these (UTC seconds).
    due_from_s: int | None = None
    due_before_s: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUS_CHOICES:
            raise Invalid(f"status must be one of {', '.join(STATUS_CHOICES)}")
        if self.flag is not None and self.flag not in FLAGS:
            raise Invalid(f"flag must be one of {', '.join(FLAGS)}")
        if self.received_from and self.received_to and self.received_from > self.received_to:
            raise Invalid("the 'received from' date is after the 'received to' date")

    @property
    def order(self) -> Order:
        if search.fts_query(self.text):
            return "text"
        if self.sort == "newest" or self.status in ("closed", "any"):
            return "newest"
        return "due"


@dataclass(frozen=True)
class QueueRow:
    rowid: int
    id: str
    category: str
    status: str
    received_at: str
    occurred_at: str
    place_name: str | None
    grid_ref: str | None
    area_id: int | None
    force: str | None
    assigned_to: int | None
    police_reference: str | None
    happening_now: bool
    due_s: int | None
    lat: float
    lon: float
    flags: tuple[str, ...] = ()
    due_clock: str | None = None  # the label of the clock that is due soonest

    @property
    def due_at(self) -> datetime | None:
        if self.due_s is None or self.due_s <= 0 or self.due_s >= NOTHING_DUE:
            return None
        return datetime.fromtimestamp(self.due_s, UTC).astimezone(LONDON)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    order: Order
    next_cursor: str | None
    prev_cursor: str | None
    flag_counts: dict[str, int] = field(default_factory=dict)
    # A search stopped at its time budget: the rows are the newest matches found so far, and the next page
    # carries on from the last of them.
    partial: bool = False


_COLUMNS = (
    "r.rowid AS rowid, r.id, r.category, r.status, r.received_at, r.occurred_at, r.place_name, r.grid_ref, "
    "r.area_id, r.force, r.assigned_to, r.police_reference, r.happening_now, r.queue_due_s, r.lat, r.lon"
)


def view_preset(view: str, now: datetime, backlog_days: int = BACKLOG_DAYS) -> dict[str, Any]:
    """The filter fields a view sets; the officer's own filters apply on top.

    - new: reports nobody has acknowledged yet, newest first (what came in this shift);
    - due: the next clock to run out first, from now on (what to do before it is late);
    - overdue: clocks that ran out, longest ago first;
    - backlog: open and overdue by more than `backlog_days`, for a supervisor's review."""
    now_s = int(now.timestamp())
    return {
        "new": {"status": "received", "sort": "newest"},
        "due": {"sort": "due", "due_from_s": now_s},
        "overdue": {"sort": "due", "due_before_s": now_s},
        "backlog": {"sort": "due", "due_before_s": now_s - backlog_days * 86400},
    }[view]


def _day_start_utc(day: date) -> str:
    return iso(datetime.combine(day, time(0), LONDON))


def _filters(f: QueueFilter) -> tuple[str, list[str], list[Any]]:
    """(FROM clause joins after `reports r`, WHERE terms, parameters).

    Cross-border rows come from `report_nearby_forces n` (the join is left to the caller when `n` leads)."""
    joins = ""
    where: list[str] = []
    params: list[Any] = []
    if f.scope == "border":
        joins = " JOIN report_nearby_forces n ON n.report_id = r.id"
        where += ["n.force = ?", "+n.distance_m <= ?"]  # tested in the index's order, not used to pick rows
        params += [f.force, f.border_m]
        if f.status not in ("closed", "any"):
            where.append("n.open")  # literally, so that the partial index report_nearby_forces_queue applies
    else:
        where.append("r.force = ?")
        params.append(f.force)
    if f.status == "open":
        where.append("r.status != 'closed'")  # literally, so that the partial index reports_queue applies
    elif f.status in OPEN_STATUSES:
        where += ["r.status != 'closed'", "r.status = ?"]
        params.append(f.status)
    elif f.status == "closed":
        where.append("r.status = 'closed'")
    if f.flag:
        where.append("EXISTS (SELECT 1 FROM report_flags fl WHERE fl.report_id = r.id AND fl.flag = ?)")
        params.append(f.flag)
    if f.category:
        where.append("r.category = ?")
        params.append(f.category)
    if f.area_id is not None:
        where.append("r.area_id = ?")
        params.append(f.area_id)
    if f.assigned == "me":
        where.append("r.assigned_to = ?")
        params.append(f.user_id)
    elif f.assigned == "none":
        where.append("+r.assigned_to IS NULL")  # not through reports_assigned_queue: most reports are unassigned
    if f.received_from:
        where.append("r.received_at >= ?")
        params.append(_day_start_utc(f.received_from))
    if f.received_to:
        where.append("r.received_at < ?")
        params.append(_day_start_utc(f.received_to + timedelta(days=1)))
    return joins, where, params


def _parse_cursor(cursor: str, order: Order) -> tuple[Any, Any]:
    """(sort key, tie-breaker) of a page link: (due, id), (received, rowid) or ("", rowid)."""
    kind, _, rest = cursor.partition(":")
    key, _, last = rest.rpartition(":")
    try:
        if kind != order[0] or not last:
            raise ValueError
        if order == "due":
            return int(key), str(uuid.UUID(last))
        return key, int(last)
    except ValueError:
        raise Invalid("that page link is out of date; start again from the first page") from None


def _cursor(order: Order, row: QueueRow) -> str:
    if order == "due":
        return f"d:{row.due_s}:{row.id}"
    return f"{order[0]}:{row.received_at if order == 'newest' else ''}:{row.rowid}"


def _ordered_sql(f: QueueFilter, after: str | None, before: str | None, limit: int, columns: str) -> tuple[str, list]:
    joins, where, params = _filters(f)
    order = f.order
    backwards = before is not None and after is None
    cursor = before if backwards else after
    if order == "text":
        source = "report_text t CROSS JOIN reports r ON r.rowid = t.rowid" + joins
        where.insert(0, "report_text MATCH ?")
        params.insert(0, search.fts_query(f.text))
        if cursor:
            _, rowid = _parse_cursor(cursor, order)
            where.append("t.rowid > ?" if backwards else "t.rowid < ?")
            params.append(rowid)
        sort = "t.rowid" if backwards else "t.rowid DESC"
    elif order == "due":
        if f.scope == "border":  # the nearby rows carry the due time: their index gives the order
            source, due, key = (
                "report_nearby_forces n CROSS JOIN reports r ON r.id = n.report_id",
                "n.queue_due_s",
                "n.report_id",
            )
        else:
            source, due, key = "reports r", "r.queue_due_s", "r.id"
        # Bounds on the due time: ranges of the same index the order reads.
        if f.due_from_s is not None:
            where.append(f"{due} >= ?")
            params.append(f.due_from_s)
        if f.due_before_s is not None:
            where.append(f"{due} < ?")
            params.append(f.due_before_s)
        if cursor:
            due_s, report_id = _parse_cursor(cursor, order)
            # Written so the index range applies: due >= key, then the tie broken by id.
            if backwards:
                where.append(f"{due} <= ? AND ({due} < ? OR {key} < ?)")
            else:
                where.append(f"{due} >= ? AND ({due} > ? OR {key} > ?)")
            params += [due_s, due_s, report_id]
        sort = f"{due} DESC, {key} DESC" if backwards else f"{due}, {key}"
    else:
        source = "reports r" + joins
        if cursor:
            received, rowid = _parse_cursor(cursor, order)
            if backwards:
                where.append("r.received_at >= ? AND (r.received_at > ? OR r.rowid > ?)")
            else:
                where.append("r.received_at <= ? AND (r.received_at < ? OR r.rowid < ?)")
            params += [received, received, rowid]
        sort = "r.received_at, r.rowid" if backwards else "r.received_at DESC, r.rowid DESC"
    sql = f"SELECT {columns} FROM {source} WHERE {' AND '.join(where)} ORDER BY {sort} LIMIT {int(limit)}"
    return sql, params


def _row(r: Any) -> QueueRow:
    return QueueRow(
        rowid=r["rowid"],
        id=r["id"],
        category=r["category"],
        status=r["status"],
        received_at=r["received_at"],
        occurred_at=r["occurred_at"],
        place_name=r["place_name"],
        grid_ref=r["grid_ref"],
        area_id=r["area_id"],
        force=r["force"],
        assigned_to=r["assigned_to"],
        police_reference=r["police_reference"],
        happening_now=bool(r["happening_now"]),
        due_s=r["queue_due_s"],
        lat=r["lat"],
        lon=r["lon"],
    )


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def flags_of(db: sqlite_utils.Database, report_ids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for chunk in _chunks(report_ids):
        marks = ", ".join("?" for _ in chunk)
        for report_id, flag in db.execute(
            f"SELECT report_id, flag FROM report_flags WHERE report_id IN ({marks}) ORDER BY flag", chunk
        ).fetchall():
            found.setdefault(report_id, []).append(flag)
    # In the policy's order (not answered first), as the counts at the top of the queue.
    rank = {flag: i for i, flag in enumerate(FLAGS)}
    return {k: tuple(sorted(v, key=lambda flag: rank.get(flag, len(rank)))) for k, v in found.items()}


def _due_clocks(db: sqlite_utils.Database, rows: list[QueueRow]) -> dict[str, str]:
    """Which clock each row's due time belongs to, read from the clocks module's stored clocks."""
    labels = {spec.name: spec.label for spec in clock_specs()}
    ids = [r.id for r in rows if r.due_at is not None]
    out: dict[str, str] = {}
    due_of = {r.id: r.due_s for r in rows}
    columns = ", ".join(f"{c}_due_s, {c}_stop_s" for c in CLOCK_NAMES)
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        for row in db.execute(
            f"SELECT report_id, {columns} FROM report_clocks WHERE report_id IN ({marks})", chunk
        ).fetchall():
            for name in CLOCK_NAMES:
                if row[f"{name}_stop_s"] is None and row[f"{name}_due_s"] == due_of[row["report_id"]]:
                    out[row["report_id"]] = labels[name]
                    break
    return out


def _decorate(db: sqlite_utils.Database, rows: list[QueueRow]) -> list[QueueRow]:
    flags = flags_of(db, [r.id for r in rows])
    dues = _due_clocks(db, rows)
    return [
        QueueRow(**{**r.__dict__, "flags": flags.get(r.id, ()), "due_clock": dues.get(r.id)})  # type: ignore[arg-type]
        for r in rows
    ]


def flag_counts(db: sqlite_utils.Database, force: str) -> dict[str, int]:
    """Reports holding each flag in the force, in the policy's order (kept by triggers, so no counting here)."""
    counts = {r[0]: r[1] for r in db.execute("SELECT flag, n FROM console_flag_counts WHERE force = ?", [force])}
    return {flag: counts.get(flag, 0) for flag in FLAGS}


def page(
    db: sqlite_utils.Database,
    f: QueueFilter,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue. `after` / `before` are the cursors of the next / previous page links."""
    sql, params = _ordered_sql(f, after, before, size + 1, _COLUMNS)
    order = f.order
    found, partial = _fetch(db, sql, params, SEARCH_BUDGET_S if order == "text" else None)
    rows = [_row(r) for r in found]
    more = len(rows) > size or partial
    rows = rows[:size]
    backwards = before is not None and after is None
    if backwards:
        rows.reverse()
        next_cursor = _cursor(order, rows[-1]) if rows else None
        prev_cursor = _cursor(order, rows[0]) if rows and more else None
    else:
        next_cursor = _cursor(order, rows[-1]) if rows and more else None
        prev_cursor = _cursor(order, rows[0]) if rows and after else None
    counts = flag_counts(db, f.force) if f.scope == "force" else {}
    return QueuePage(_decorate(db, rows), order, next_cursor, prev_cursor, counts, partial)


def _fetch(db: sqlite_utils.Database, sql: str, params: list[Any], budget_s: float | None) -> tuple[list[Any], bool]:
    """The query's rows; with a budget, those found before it ran out (True), the query being interrupted.

    A word common in other forces' reports but rare in this one's makes FTS5 hand over many matches that the
    force filter then drops; the budget keeps such a search from holding a server thread for seconds. The rows
    stream in order (FTS5 reads its index newest first), so the partial answer is the newest matches."""
    if budget_s is None:
        return db.execute(sql, params).fetchall(), False
    deadline = monotonic() + budget_s
    db.conn.set_progress_handler(lambda: monotonic() > deadline, 1000)
    rows: list[Any] = []
    try:
        cursor = db.execute(sql, params)
        while batch := cursor.fetchmany(10):
            rows += batch
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        return rows, True
    finally:
        db.conn.set_progress_handler(None, 0)
    return rows, False


def markers(db: sqlite_utils.Database, f: QueueFilter, limit: int = MAP_LIMIT) -> list[dict[str, Any]]:
    """The first `limit` reports of the queue in its order, as map markers (no personal data: no names)."""
    sql, params = _ordered_sql(f, None, None, limit, _COLUMNS)
    rows = [_row(r) for r in db.execute(sql, params).fetchall()]
    flags = flags_of(db, [r.id for r in rows])
    return [
        {
            "id": r.id,
            "lat": r.lat,
            "lon": r.lon,
            "category": r.category,
            "status": r.status,
            "flags": list(flags.get(r.id, ())),
            "received_at": r.received_at,
        }
        for r in rows
    ]
