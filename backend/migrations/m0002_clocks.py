"""Response clocks: the policy's targets with history, each report's clocks materialised, the notification outbox."""

# Frozen text: the clocks' columns (answered, reference, decision, update, attendance) are written out, not
# generated. The live list of clocks is backend/services/clocks/response_clocks.py. `report_clocks`: one row per report with every
# clock's times as Unix seconds (integers keep a million reports' clocks small), so summaries and the sweep read
# them without recomputing; written only by backend/services/clocks/response_clocks.py.
SQL = """
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
    answered_start_s INTEGER, answered_due_s INTEGER, answered_stop_s INTEGER, answered_state TEXT, answered_missed INTEGER NOT NULL DEFAULT 0,
    reference_start_s INTEGER, reference_due_s INTEGER, reference_stop_s INTEGER, reference_state TEXT, reference_missed INTEGER NOT NULL DEFAULT 0,
    decision_start_s INTEGER, decision_due_s INTEGER, decision_stop_s INTEGER, decision_state TEXT, decision_missed INTEGER NOT NULL DEFAULT 0,
    update_start_s INTEGER, update_due_s INTEGER, update_stop_s INTEGER, update_state TEXT, update_missed INTEGER NOT NULL DEFAULT 0,
    attendance_start_s INTEGER, attendance_due_s INTEGER, attendance_stop_s INTEGER, attendance_state TEXT, attendance_missed INTEGER NOT NULL DEFAULT 0
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
