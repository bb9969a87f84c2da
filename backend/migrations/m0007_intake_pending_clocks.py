"""A report's clocks row is first a placeholder (computed_s = 0, made by a trigger when the report is stored) that
intake fills in the same transaction. A placeholder has no clock states to summarise, so it no longer makes a
summary row of its own: the row is made once, when the clocks are stored (the `summary_facts_changed` trigger),
instead of twice for every report received.
"""

import sqlite_utils

from backend.migrations import run_script
from backend.migrations.m0005_summary_facts import _INSERT, _UPSERT, _facts_select

SCHEMA = f"""
DROP TRIGGER summary_facts_new;

CREATE TRIGGER summary_facts_new AFTER INSERT ON report_clocks WHEN NEW.computed_s != 0
BEGIN
    {_INSERT} {_facts_select("r.id = NEW.report_id")}{_UPSERT};
END;
"""


def up(db: sqlite_utils.Database) -> None:
    run_script(db, SCHEMA)
