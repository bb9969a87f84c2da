"""The phone database's schema changes, applied in order and recorded in its own `_migrations` table.

Each migration is a module `mNNNN_name.py` here holding one literal SQL script, `SQL`, run by the runner both
sides share (core/migrations.py). Add a new module to change the schema; never edit one that has shipped:
phones in the field already ran it.
"""

from __future__ import annotations

import sqlite_utils

from core import migrations


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied."""
    return migrations.migrate(db, __name__)
