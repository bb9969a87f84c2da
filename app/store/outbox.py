"""The outbox: everything that must reach the server, oldest first, with how sending it went.

The sync engine (a later piece of work) takes `pending_items`, sends each, and records the result with
`mark_sending`, `mark_sent`, `mark_failed` and, for photo uploads, `record_upload_progress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.store.db import Store


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    report_id: str | None
    photo_id: str | None
    payload: str | None
    state: str
    attempts: int
    last_error: str | None
    upload_url: str | None
    upload_offset: int
    created_at: str


_COLUMNS = "id, kind, report_id, photo_id, payload, state, attempts, last_error, upload_url, upload_offset, created_at"


def pending_items(store: Store, now: datetime, limit: int = 100) -> list[OutboxItem]:
    """Items still to send whose retry time has come, oldest first. 'sending' items are included: an app
    killed mid-send left them so, and sends are idempotent on the server."""
    with store.read() as db:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('pending', 'sending', 'failed') "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
            [now.isoformat(), limit],
        ).fetchall()
    return [OutboxItem(**dict(r)) for r in rows]


def mark_sending(store: Store, item_id: int, now: datetime) -> None:
    with store.write() as db:
        db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ? WHERE id = ?",
            [now.isoformat(), item_id],
        )


def mark_sent(store: Store, item_id: int, now: datetime) -> None:
    """The server has it. For a report item, the report is marked sent in the same transaction."""
    with store.write() as db:
        db.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL WHERE id = ?",
            [now.isoformat(), item_id],
        )
        db.execute(
            "UPDATE reports SET sent_at = ? WHERE id = (SELECT report_id FROM outbox WHERE id = ? AND kind = 'report')",
            [now.isoformat(), item_id],
        )


def mark_failed(store: Store, item_id: int, error: str, retry_at: datetime | None) -> None:
    """Sending failed; `retry_at` None means it will not succeed by retrying (the farmer must act)."""
    with store.write() as db:
        db.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = ? WHERE id = ?",
            [error[:500], retry_at.isoformat() if retry_at else "9999-12-31T00:00:00+00:00", item_id],
        )


def record_upload_progress(store: Store, item_id: int, upload_url: str, offset: int) -> None:
    with store.write() as db:
        db.execute("UPDATE outbox SET upload_url = ?, upload_offset = ? WHERE id = ?", [upload_url, offset, item_id])


def items_for_report(store: Store, report_id: str) -> list[OutboxItem]:
    with store.read() as db:
        rows = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE report_id = ? ORDER BY id", [report_id]).fetchall()
    return [OutboxItem(**dict(r)) for r in rows]
