"""Small named values the app keeps: the categories fetched from the server, a 101 call in progress ..."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.store.db import Store


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    with store.read() as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(store: Store, key: str, value: Any, now: datetime) -> None:
    with store.write() as db:
        db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, json.dumps(value), now.isoformat()],
        )


def delete_setting(store: Store, key: str) -> None:
    with store.write() as db:
        db.execute("DELETE FROM settings WHERE key = ?", [key])
