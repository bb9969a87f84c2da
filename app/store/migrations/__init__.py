"""The phone database's schema changes, applied in order and recorded in its own `_migrations` table.

Each migration is a module `mNNNN_name.py` here with an `up(db)` function. Add a new module to change the
schema; never edit one that has shipped: phones in the field already ran it.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import sqlite_utils


def _migration_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m") and m.name[1:5].isdigit())


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for name in _migration_names():
        if name in done:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone() is None:
                module.up(db)
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    [name, datetime.now(UTC).isoformat()],
                )
                applied.append(name)
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    return applied
