"""The report being typed, saved at every change: killed at any step, the app reopens where the farmer was."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.store.db import Store


@dataclass(frozen=True)
class StoredDraft:
    id: str
    step: str
    data: dict[str, Any]
    updated_at: str


def save_draft(store: Store, draft_id: str, step: str, data: dict[str, Any], now: datetime) -> None:
    with store.write() as db:
        db.execute(
            "INSERT INTO drafts (id, data, step, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data, step = excluded.step, "
            "updated_at = excluded.updated_at",
            [draft_id, json.dumps(data), step, now.isoformat(), now.isoformat()],
        )


def latest_draft(store: Store) -> StoredDraft | None:
    with store.read() as db:
        row = db.execute("SELECT id, step, data, updated_at FROM drafts ORDER BY updated_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return StoredDraft(id=row["id"], step=row["step"], data=json.loads(row["data"]), updated_at=row["updated_at"])


def discard_draft(store: Store, draft_id: str) -> list[str]:
    """Forget a draft and its photos; returns the photo files to delete (after the commit, never before)."""
    with store.write() as db:
        rows = db.execute(
            "SELECT original_path, upload_path FROM photos WHERE draft_id = ? AND report_id IS NULL", [draft_id]
        ).fetchall()
        db.execute("DELETE FROM photos WHERE draft_id = ? AND report_id IS NULL", [draft_id])
        db.execute("DELETE FROM drafts WHERE id = ?", [draft_id])
    return [p for row in rows for p in row]
