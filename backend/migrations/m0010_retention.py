"""Retention: the retention policy with history, legal holds on reports, and the record of every purge.

- `retention_rules`: one row per change to a retention period, national (force '') or a force's own, with the
  moment it took effect (the store is modelled on `policy_targets`). `period` NULL removes a force's override.
- `report_holds`: reports an officer or supervisor marked "keep: evidence"; never purged while held. The hold's
  history is in the report's events (`hold_placed`, `hold_removed`).
- `purge_log`: what each purge removed, as counts per kind, rule and force, with no personal data.
- `reports_closed`: closed reports by the time they were closed, for the purge's range scans.
"""

SQL = """
CREATE TABLE retention_rules (
    id INTEGER PRIMARY KEY,
    force TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL,
    period TEXT,
    effective_from TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX retention_rules_key ON retention_rules(force, rule, effective_from);

CREATE TABLE report_holds (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    reason TEXT NOT NULL,
    held_by TEXT NOT NULL,
    held_at TEXT NOT NULL
);

CREATE TABLE purge_log (
    id INTEGER PRIMARY KEY,
    run_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    force TEXT,
    period TEXT,
    count INTEGER NOT NULL,
    done_at TEXT NOT NULL
);
CREATE INDEX purge_log_run ON purge_log(run_at);

CREATE INDEX reports_closed ON reports(closed_at) WHERE closed_at IS NOT NULL;
"""
