"""The one migration runner and statement splitter, for the phone's database and the server's.

A migration is a module `mNNNN_name.py` in a package, holding one literal SQL script, `SQL`. It imports nothing
and builds nothing: a shipped migration is frozen text, so that editing live code can never rewrite one that
databases in the field already ran. Applied migrations are recorded in the database's own `_migrations` table
(name, applied_at), the shape both sides have always used.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime

import sqlite_utils

# Python steps that must run inside a migration's transaction, after its SQL, keyed by migration name: data
# work a frozen script cannot do (the server measures borders after m0004). Kept by the caller, not the migration.
AfterStep = Callable[[sqlite_utils.Database], None]


def split_statements(script: str) -> Iterator[str]:
    """The statements of a script, each ending at a semicolon where SQLite says a statement is complete.

    Trigger bodies (BEGIN ... END) and string literals hold semicolons of their own, so a plain split on ";"
    breaks them; `sqlite3.complete_statement` knows where one really ends. Blank text and comments between
    statements are dropped.
    """
    start = 0
    end = script.find(";")
    while end != -1:
        candidate = script[start : end + 1]
        if sqlite3.complete_statement(candidate):
            if _has_sql(candidate):
                yield candidate.strip()
            start = end + 1
        end = script.find(";", end + 1)
    if _has_sql(script[start:]):
        yield script[start:].strip()


def _has_sql(text: str) -> bool:
    """Whether text holds anything but whitespace and `--` comments."""
    return any(line.split("--", 1)[0].strip() for line in text.splitlines())


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Execute a script statement by statement inside the caller's transaction (executescript would commit)."""
    for statement in split_statements(script):
        db.execute(statement)


def migration_names(package: str) -> list[str]:
    """The migration modules of a package, in the order they apply."""
    path = importlib.import_module(package).__path__
    return sorted(m.name for m in pkgutil.iter_modules(path) if m.name.startswith("m") and m.name[1:5].isdigit())


def migrate(db: sqlite_utils.Database, package: str, after: Mapping[str, AfterStep] | None = None) -> list[str]:
    """Apply every migration of `package` not yet recorded in `db`; returns the names applied.

    Each runs in its own BEGIN IMMEDIATE transaction with its record, and is checked again once the write lock
    is held: another process (the server and the CLI, say) may have applied it while this one waited.
    """
    after = after or {}
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for name in migration_names(package):
        if name in done:
            continue
        script: str = importlib.import_module(f"{package}.{name}").SQL
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone() is None:
                run_script(db, script)
                if name in after:
                    after[name](db)
                db.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, datetime.now(UTC).isoformat()]
                )
                applied.append(name)
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    return applied
