"""The migrations are frozen: a fresh database of either side has exactly the schema the shipped code made, and
the one runner and splitter they share behave as the databases in the field need."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from app.store.migrations import migrate as migrate_phone
from backend.migrations import migrate as migrate_server

FIXTURE = Path(__file__).parent / "fixtures" / "migrated_schema.json"
MIGRATORS = {"backend": migrate_server, "phone": migrate_phone}


def _fresh(path: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))


def _schema(db: sqlite_utils.Database) -> list[list[str]]:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
    return [list(row) for row in rows]


@pytest.mark.parametrize("side", ["backend", "phone"])
def test_a_fresh_database_has_exactly_the_schema_the_shipped_migrations_made(tmp_path: Path, side: str) -> None:
    # The fixture was dumped from the migrations as they shipped, before they were frozen as literal SQL.
    expected = json.loads(FIXTURE.read_text())[side]
    db = _fresh(tmp_path / "fresh.db")
    assert MIGRATORS[side](db) == expected["migrations"]
    assert _schema(db) == expected["sqlite_master"]
    assert MIGRATORS[side](db) == []  # a second run applies nothing
    assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name").fetchall()] == expected["migrations"]
