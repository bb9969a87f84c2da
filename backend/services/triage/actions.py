"""Staff actions on reports, one event each: the console's forms and its bulk actions come through here.

Every action is checked (the report is the user's force's, the time is not in the future nor before receipt,
an assignee is an officer of the report's force, a duplicate is another report of the same force) and written
with the event log's `record_event` inside one write (`backend.writes.write`), so a report, its event and its
clocks change together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlite_utils

from backend.schemas import EventCreate
from backend.services.clocks import sweep
from backend.services.errors import Forbidden, Invalid, NotFound
from backend.services.intake import events, reports
from backend.services.staff import accounts
from backend.services.staff.accounts import StaffUser
from backend.settings import Settings
from backend.writes import write
from wire.events import HOLD_KINDS

MAX_BULK = 200
BulkKind = Literal["acknowledged", "assigned", "closed"]


def _check_time(at: datetime, report: dict[str, Any], now: datetime) -> None:
    if at > now + timedelta(minutes=1):
        raise Invalid("an action cannot be recorded in the future")
    if at < datetime.fromisoformat(report["received_at"]):
        raise Invalid("an action cannot be recorded before the report was received")


def _assignee(db: sqlite_utils.Database, user: StaffUser, report: dict[str, Any], user_id: int | None) -> StaffUser:
    try:
        assignee = accounts.get_user(db, user_id) if user_id else user
    except NotFound:
        raise Invalid("no such officer") from None
    if not assignee.is_police or assignee.force != report["force"]:
        raise Invalid("a report can only be assigned to an officer of its force")
    return assignee


def _apply(db: sqlite_utils.Database, user: StaffUser, report: dict[str, Any], body: EventCreate, now: datetime) -> int:
    data = body.data()
    at = body.at or now
    if body.kind in HOLD_KINDS and not user.is_police:
        raise Forbidden("only an officer or a supervisor can keep a report as evidence, or let it go")
    _check_time(at, report, now)
    if body.kind == "assigned":
        assignee = _assignee(db, user, report, body.user_id)
        data["user_id"] = assignee.id
        data["officer"] = assignee.display_name
    if body.duplicate_of is not None:
        if body.duplicate_of == report["id"]:
            raise Invalid("a report cannot be a duplicate of itself")
        other = db.execute("SELECT force FROM reports WHERE id = ?", [body.duplicate_of]).fetchone()
        if other is None or other["force"] != report["force"]:
            raise Invalid("duplicate_of must be another report of the same force")
    return events.record_event(db, report, body.kind, at, "user", str(user.id), data)


def record_action(
    db: sqlite_utils.Database, user: StaffUser, report_id: str, body: EventCreate, now: datetime, settings: Settings
) -> dict[str, Any]:
    """Record one action, and the flags it settles, in one transaction; returns the report row as it now stands.
    NotFound unless the user may act on it."""
    with write(db):
        report = reports.report_row(db, report_id)
        if not accounts.can_act_on_report(user, report):
            raise NotFound("no such report")
        _apply(db, user, report, body, now)
        sweep.reconcile(db, [report["id"]], now, settings)
    return report


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # report id -> why


def bulk(
    db: sqlite_utils.Database,
    user: StaffUser,
    report_ids: list[str],
    kind: BulkKind,
    now: datetime,
    settings: Settings,
    assignee_id: int | None = None,
    outcome: str | None = None,
    text: str | None = None,
) -> BulkResult:
    """Acknowledge or assign many reports at once: one event per report, all in one transaction.

    Reports that the action does not fit (closed, already acknowledged, another force's) are skipped with the
    reason, so one of them does not stop the others; an invalid assignee stops the whole action.
    """
    ids = list(dict.fromkeys(report_ids))
    if not ids:
        raise Invalid("choose at least one report")
    if kind == "closed":
        # Closing many at once is a supervisor's review of the backlog, never an officer's shortcut.
        if user.role not in ("supervisor", "admin"):
            raise Forbidden("only a supervisor can close reports in bulk")
        if not (text or "").strip():
            raise Invalid("give the closing words each farmer will read")
    if len(ids) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} reports at a time")
    result = BulkResult()
    with write(db):
        for report_id in ids:
            row = db.execute("SELECT * FROM reports WHERE id = ?", [report_id]).fetchone()
            report = dict(row) if row else None
            if report is None or not accounts.can_act_on_report(user, report):
                result.skipped[report_id] = "not a report of your force"
                continue
            if report["status"] == "closed":
                result.skipped[report_id] = "closed"
                continue
            if kind == "acknowledged" and report["acknowledged_at"]:
                result.skipped[report_id] = "already acknowledged"
                continue
            body = EventCreate(
                kind=kind,
                user_id=assignee_id if kind == "assigned" else None,
                outcome=outcome if kind == "closed" else None,
                text=text.strip() if kind == "closed" and text else None,
            )
            if kind == "assigned" and report["assigned_to"] == (assignee_id or user.id):
                result.skipped[report_id] = "already assigned to that officer"
                continue
            _apply(db, user, report, body, now)
            result.done.append(report_id)
        sweep.reconcile(db, result.done, now, settings)
    return result
