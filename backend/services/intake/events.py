"""The event log: every change to a report is an event, and the report's state is derived from its events."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import sqlite_utils

from backend.security import iso
from backend.services.errors import Conflict
from backend.writes import open_batch
from wire.events import HOLD_KINDS, PUBLIC_KINDS

ActorKind = Literal["device", "user", "system", "partner"]


class EventRefused(Conflict):
    """The event cannot apply to the report as it stands (e.g. closing a closed report): 409."""


def _next_status(status: str, kind: str) -> str:
    if kind == "closed":
        return "closed"
    if kind == "reopened":
        return "in_progress"
    if status == "closed":
        return status
    if kind in ("reference_added", "contacted", "attended", "decision", "update_sent"):
        return "in_progress"
    if kind in ("acknowledged", "assigned") and status == "received":
        return "acknowledged"
    return status


def _check_hold(db: sqlite_utils.Database, report: dict[str, Any], kind: str) -> None:
    held = db.execute("SELECT 1 FROM report_holds WHERE report_id = ?", [report["id"]]).fetchone() is not None
    if kind == "hold_placed" and held:
        raise EventRefused("the report is already kept as evidence")
    if kind == "hold_removed" and not held:
        raise EventRefused("the report is not held")


def _apply_hold(
    db: sqlite_utils.Database, report: dict[str, Any], kind: str, at: datetime, actor: str | None, data: dict[str, Any]
) -> None:
    """A legal hold ("keep: evidence"): held reports are never purged (backend/services/retention/)."""
    if kind == "hold_placed":
        db.execute(
            "INSERT INTO report_holds (report_id, reason, held_by, held_at) VALUES (?, ?, ?, ?)",
            [report["id"], data["reason"], actor or "", iso(at)],
        )
    else:
        db.execute("DELETE FROM report_holds WHERE report_id = ?", [report["id"]])


def check_allowed(report: dict[str, Any], kind: str) -> None:
    status = report["status"]
    if kind == "closed" and status == "closed":
        raise EventRefused("the report is already closed")
    if kind == "reopened" and status != "closed":
        raise EventRefused("only a closed report can be reopened")


def record_event(
    db: sqlite_utils.Database,
    report: dict[str, Any],
    kind: str,
    at: datetime,
    actor_kind: ActorKind,
    actor_id: str | None,
    data: dict[str, Any] | None = None,
    idem_key: str | None = None,
) -> int:
    """Append one event and materialise its effect on the report row. Call inside `backend.writes.write`, whose
    batch computes the report's clocks before it commits (refused before anything is written otherwise)."""
    batch = open_batch(db)
    check_allowed(report, kind)
    if kind in HOLD_KINDS:
        _check_hold(db, report, kind)
    public = kind in PUBLIC_KINDS
    cursor = db.execute(
        "INSERT INTO events (report_id, kind, at, actor_kind, actor_id, public, data, idem_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [report["id"], kind, iso(at), actor_kind, actor_id, int(public), json.dumps(data or {}), idem_key],
    )
    event_id = cursor.lastrowid
    changes: dict[str, Any] = {"updated_at": iso(at)}
    status = _next_status(report["status"], kind)
    if status != report["status"]:
        # Only when it changes: setting it touches every index on status (the sweep's flags never change it).
        changes["status"] = status
    data = data or {}
    if kind == "acknowledged" and not report.get("acknowledged_at"):
        changes["acknowledged_at"] = iso(at)
    if kind == "reference_added":
        changes["police_reference"] = data["reference"]
    if kind == "assigned":
        changes["assigned_to"] = data.get("user_id")
    if kind == "closed":
        changes["closed_at"] = iso(at)
    if kind == "reopened":
        changes["closed_at"] = None
    if kind == "flag_raised":
        db.execute(
            "INSERT OR IGNORE INTO report_flags (report_id, flag, raised_at) VALUES (?, ?, ?)",
            [report["id"], data["flag"], iso(at)],
        )
    if kind in HOLD_KINDS:
        _apply_hold(db, report, kind, at, actor_id, data)
    if kind == "flag_cleared":
        db.execute("DELETE FROM report_flags WHERE report_id = ? AND flag = ?", [report["id"], data["flag"]])
    if public:
        changes["public_seq"] = event_id
    db.execute(
        "UPDATE reports SET " + ", ".join(f"{k} = ?" for k in changes) + " WHERE id = ?",
        [*changes.values(), report["id"]],
    )
    report.update(changes)
    if kind not in ("flag_raised", "flag_cleared") and kind not in HOLD_KINDS:
        # The report's clocks and its next due time are stored in the same transaction, once per batch; the
        # sweep writes the flags (and stores the clocks itself after changing them).
        batch.report_changed(report["id"], at)
    return event_id
