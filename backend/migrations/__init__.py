"""The server's schema changes, applied in order and recorded in the database's own `_migrations` table.

Each migration is a module `mNNNN_name.py` in this package holding one literal SQL script, `SQL`, run by the
runner both sides share (core/migrations.py). Add a new module to change the schema; never edit one that has
shipped: servers in the field already ran it.
"""

from __future__ import annotations

import sqlite_utils

from core import migrations


def _measure_borders(db: sqlite_utils.Database) -> None:
    """m0004 made `report_nearby_forces`; the reports already stored get their nearby forces measured now, in
    that migration's transaction (as m0004 always did). Python, so it lives here rather than in the frozen SQL."""
    from backend.services.areas import border  # late: border imports backend.db, which imports this

    border.recompute_all(db)


AFTER = {"m0004_console": _measure_borders}


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied."""
    return migrations.migrate(db, __name__, AFTER)
