"""The queue view each member of staff last chose ("new", "due", "overdue", "backlog"): it opens that way again."""

import sqlite_utils

SCHEMA = """
ALTER TABLE users ADD COLUMN queue_view TEXT;
"""


def up(db: sqlite_utils.Database) -> None:
    for statement in SCHEMA.strip().split("\n"):
        db.execute(statement)
