"""Schema changes, applied in order and recorded in the database's own `_migrations` table.

Each migration is a module `mNNNN_name.py` in this package with an `up(db)` function. Add a new module to
change the schema; never edit one that has shipped.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from datetime import UTC, datetime

import sqlite_utils


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Execute a schema script statement by statement, inside the migration's transaction (executescript would
    commit it). Trigger bodies hold semicolons of their own, so it splits where SQLite says a statement ends."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


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
            # Another process may have applied it while we waited for the lock.
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
