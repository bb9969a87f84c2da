"""Saved reports. Saving is local and immediate: the report, its photos and its outbox rows commit together."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.store.db import Store
from wire.reports import ReportCreate


class SaveError(ValueError):
    pass


@dataclass(frozen=True)
class ReportSummary:
    id: str
    category: str
    happening_now: bool
    occurred_at: str
    created_at: str
    saved_at: str
    sent_at: str | None
    server_status: str | None
    acknowledged_at: str | None
    police_reference: str | None
    outbox_state: str | None
    attempts: int
    photos_total: int
    photos_sent: int
    problem: str | None = None  # why the server will not take it as it is, in its words
    answer_due_at: str | None = None  # when the server says the police's first answer is due


def save_report(store: Store, report_id: str, draft_id: str, report: ReportCreate, now: datetime) -> None:
    """Save the report from a draft in one transaction: the report row, its photos moved from the draft to
    the report, an outbox row for the report and one per photo, and the draft deleted.

    Either all of it is on the disk when this returns, or (killed before the commit) none of it is and the
    draft is still there.
    """
    body = report.canonical()
    declared = [str(p.photo_id) for p in report.photos]
    with store.write() as db:
        if db.execute("SELECT 1 FROM reports WHERE id = ?", [report_id]).fetchone():
            raise SaveError("this report is already saved")
        db.execute(
            "INSERT INTO reports (id, category, happening_now, occurred_at, created_at, saved_at, body, content_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id,
                report.category,
                int(report.happening_now),
                body["occurred_at"],
                body["created_at"],
                now.isoformat(),
                json.dumps(body, sort_keys=True),
                report.content_hash(),
            ],
        )
        for position, photo_id in enumerate(declared):
            moved = db.execute(
                "UPDATE photos SET report_id = ?, draft_id = NULL, position = ? "
                "WHERE id = ? AND draft_id = ? AND report_id IS NULL",
                [report_id, position, photo_id, draft_id],
            ).rowcount
            if moved != 1:
                raise SaveError(f"photo {photo_id} is not part of this draft")
        db.execute(
            "INSERT INTO outbox (kind, report_id, created_at) VALUES ('report', ?, ?)", [report_id, now.isoformat()]
        )
        for photo_id in declared:
            db.execute(
                "INSERT INTO outbox (kind, report_id, photo_id, created_at) VALUES ('photo', ?, ?, ?)",
                [report_id, photo_id, now.isoformat()],
            )
        db.execute("DELETE FROM drafts WHERE id = ?", [draft_id])


def report_body(store: Store, report_id: str) -> dict[str, Any]:
    with store.read() as db:
        row = db.execute("SELECT body FROM reports WHERE id = ?", [report_id]).fetchone()
    if row is None:
        raise KeyError(report_id)
    return json.loads(row[0])


def list_reports(store: Store, report_id: str | None = None) -> list[ReportSummary]:
    """The farmer's reports (or the one asked for), newest first, with how far each has got."""
    where = "WHERE r.id = ?" if report_id else ""
    with store.read() as db:
        rows = db.execute(
            """SELECT r.id, r.category, r.happening_now, r.occurred_at, r.created_at, r.saved_at, r.sent_at,
                      r.server_status, r.acknowledged_at, r.police_reference, r.problem, r.answer_due_at,
                      o.state AS outbox_state, COALESCE(o.attempts, 0) AS attempts,
                      (SELECT count(*) FROM photos p WHERE p.report_id = r.id) AS photos_total,
                      (SELECT count(*) FROM outbox op WHERE op.report_id = r.id AND op.kind = 'photo'
                         AND op.state = 'sent') AS photos_sent
               FROM reports r LEFT JOIN outbox o ON o.report_id = r.id AND o.kind = 'report'
               """
            + where
            + " ORDER BY r.created_at DESC, r.saved_at DESC",
            [report_id] if report_id else [],
        ).fetchall()
    return [ReportSummary(**{**dict(r), "happening_now": bool(r["happening_now"])}) for r in rows]


def record_server_state(
    store: Store,
    report_id: str,
    status: str,
    police_reference: str | None,
    acknowledged_at: str | None,
    updated_at: str,
    timeline: list[dict[str, Any]],
    now: datetime,
    answer_due_at: str | None = None,
) -> None:
    """What the server says about a report (the sync engine calls this with each pulled change)."""
    with store.write() as db:
        db.execute(
            "UPDATE reports SET server_status = ?, police_reference = ?, acknowledged_at = ?, server_updated_at = ?, "
            "answer_due_at = ? WHERE id = ?",
            [status, police_reference, acknowledged_at, updated_at, answer_due_at, report_id],
        )
        for entry in timeline:
            # A repeated entry keeps its first arrival and read mark; its words follow the server's latest.
            db.execute(
                "INSERT INTO status_updates (report_id, kind, at, text, reference, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (report_id, kind, at) "
                "DO UPDATE SET text = excluded.text, reference = excluded.reference",
                [report_id, entry["kind"], entry["at"], entry.get("text"), entry.get("reference"), now.isoformat()],
            )


@dataclass(frozen=True)
class StatusUpdate:
    id: int
    kind: str
    at: str
    text: str | None
    reference: str | None
    seen_at: str | None


def status_updates(store: Store, report_id: str) -> list[StatusUpdate]:
    """What the server said happened to the report, newest first."""
    with store.read() as db:
        rows = db.execute(
            "SELECT id, kind, at, text, reference, seen_at FROM status_updates WHERE report_id = ? "
            "ORDER BY at DESC, id DESC",
            [report_id],
        ).fetchall()
    return [StatusUpdate(**dict(r)) for r in rows]


def mark_seen(store: Store, report_id: str, now: datetime) -> int:
    """The farmer has opened the report: every answer on it is read. Returns how many were new."""
    with store.write() as db:
        return db.execute(
            "UPDATE status_updates SET seen_at = ? WHERE report_id = ? AND seen_at IS NULL",
            [now.isoformat(), report_id],
        ).rowcount


@dataclass(frozen=True)
class PhotoState:
    id: str
    position: int
    upload_bytes: int
    state: str  # the outbox's: pending, sending, sent, failed
    offset: int
    error: str | None


def photo_states(store: Store, report_id: str) -> list[PhotoState]:
    """Each photo of a saved report with how far its upload has got."""
    with store.read() as db:
        rows = db.execute(
            "SELECT p.id, p.position, p.upload_bytes, COALESCE(o.state, 'sent') AS state, "
            "COALESCE(o.upload_offset, 0) AS offset, o.last_error AS error "
            "FROM photos p LEFT JOIN outbox o ON o.photo_id = p.id AND o.kind = 'photo' "
            "WHERE p.report_id = ? ORDER BY p.position",
            [report_id],
        ).fetchall()
    return [PhotoState(**dict(r)) for r in rows]


def saved_report(store: Store, report_id: str) -> ReportSummary | None:
    found = list_reports(store, report_id)
    return found[0] if found else None
