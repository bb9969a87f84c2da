"""Response clocks: the policy's targets with history, each report's clocks materialised, the notification outbox."""

import sqlite_utils

from backend.migrations import run_script

CLOCKS = ("answered", "reference", "decision", "update", "attendance")

# One row per report with every clock's times as Unix seconds (integers keep a million reports' clocks
# small), so summaries and the sweep read them without recomputing. Written only by backend/services/clocks.py.
_CLOCK_COLUMNS = ",\n".join(
    f"    {c}_start_s INTEGER, {c}_due_s INTEGER, {c}_stop_s INTEGER, {c}_state TEXT, "
    f"{c}_missed INTEGER NOT NULL DEFAULT 0"
    for c in CLOCKS
)

SCHEMA = f"""
CREATE TABLE policy_targets (
    id INTEGER PRIMARY KEY,
    force TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    clock TEXT NOT NULL,
    target TEXT,
    effective_from TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX policy_targets_key ON policy_targets(force, category, clock, effective_from);

CREATE TABLE report_clocks (
    report_id TEXT PRIMARY KEY,
    computed_s INTEGER NOT NULL,
    next_due_s INTEGER,
    first_reported_s INTEGER,
    call_mark TEXT,
    chases INTEGER NOT NULL DEFAULT 0,
{_CLOCK_COLUMNS}
);
CREATE INDEX report_clocks_next_due ON report_clocks(next_due_s) WHERE next_due_s IS NOT NULL;

CREATE TRIGGER report_clocks_pending AFTER INSERT ON reports
BEGIN
    INSERT OR IGNORE INTO report_clocks (report_id, computed_s, next_due_s) VALUES (NEW.id, 0, 0);
END;

CREATE TRIGGER report_clocks_gone AFTER DELETE ON reports
BEGIN
    DELETE FROM report_clocks WHERE report_id = OLD.id;
END;

INSERT INTO report_clocks (report_id, computed_s, next_due_s) SELECT id, 0, 0 FROM reports;

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('escalation', 'digest')),
    force TEXT,
    report_id TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    delivered_at TEXT,
    gave_up_at TEXT,
    last_error TEXT
);
CREATE INDEX notifications_pending ON notifications(next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;

ALTER TABLE users ADD COLUMN email TEXT
"""


def up(db: sqlite_utils.Database) -> None:
    run_script(db, SCHEMA)
