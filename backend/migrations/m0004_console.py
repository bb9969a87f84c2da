"""The officer console: queue order, flag counts, free-text search, linked reports, cross-border, update templates.

- `reports.queue_due_s`: the soonest due time of the report's unsatisfied clocks (Unix seconds), copied by a
  trigger from `report_clocks` whenever the clocks module stores them, so the queue is one indexed range scan.
  No clock arithmetic here: it is the minimum of the stored due times whose clock has not stopped. A report
  whose clocks were never computed yet sorts first (0); one with nothing due sorts last (NOTHING_DUE).
- `console_flag_counts`: flags held per force, kept by triggers on `report_flags`, for the counts at the top
  of the queue without counting a million rows.
- `report_text`: an FTS5 index (contentless: the text stays only in `reports`) over descriptions, places
  (place name, grid reference, what3words) and normalised vehicle registrations; rowid = reports.rowid.
- `report_places`: an R*Tree of each report's point and time (days since 1970, of when it happened), for
  "other reports within 5 km and 14 days"; id = reports.rowid.
- `report_nearby_forces`: the neighbouring forces each report lies near (filled at intake, services/areas/border.py).
- `update_templates`: each force's editable texts for updates to the farmer.
"""

# Frozen text. 4102444800 (2100-01-01) is NOTHING_DUE, the due time of a report with nothing due; the live
# value is backend/services/triage/queue.py NOTHING_DUE. The last statement stores every report's clocks again so that
# the triggers above fill in its queue order. The nearby forces of existing reports are measured after this
# script, in the same transaction, by backend/migrations/__init__.py (a frozen script cannot call Python).
SQL = """
ALTER TABLE reports ADD COLUMN queue_due_s INTEGER;

-- The queue's order (due time, then id to break ties) followed by the columns its filters test, so that a
-- filtered page reads the index alone until it has found its rows: only the rows shown are read from the table.
CREATE INDEX reports_queue
    ON reports(force, queue_due_s, id, status, category, assigned_to, area_id, received_at)
    WHERE status != 'closed';
CREATE INDEX reports_assigned_queue ON reports(assigned_to, queue_due_s, id, force) WHERE status != 'closed';

CREATE TRIGGER console_queue_due_new AFTER INSERT ON report_clocks
BEGIN
    UPDATE reports SET queue_due_s = (CASE WHEN NEW.computed_s = 0 THEN 0 ELSE min(coalesce(CASE WHEN NEW.answered_stop_s IS NULL THEN NEW.answered_due_s END, 4102444800), coalesce(CASE WHEN NEW.reference_stop_s IS NULL THEN NEW.reference_due_s END, 4102444800), coalesce(CASE WHEN NEW.decision_stop_s IS NULL THEN NEW.decision_due_s END, 4102444800), coalesce(CASE WHEN NEW.update_stop_s IS NULL THEN NEW.update_due_s END, 4102444800), coalesce(CASE WHEN NEW.attendance_stop_s IS NULL THEN NEW.attendance_due_s END, 4102444800)) END) WHERE id = NEW.report_id;
END;

CREATE TRIGGER console_queue_due_changed AFTER UPDATE ON report_clocks
BEGIN
    UPDATE reports SET queue_due_s = (CASE WHEN NEW.computed_s = 0 THEN 0 ELSE min(coalesce(CASE WHEN NEW.answered_stop_s IS NULL THEN NEW.answered_due_s END, 4102444800), coalesce(CASE WHEN NEW.reference_stop_s IS NULL THEN NEW.reference_due_s END, 4102444800), coalesce(CASE WHEN NEW.decision_stop_s IS NULL THEN NEW.decision_due_s END, 4102444800), coalesce(CASE WHEN NEW.update_stop_s IS NULL THEN NEW.update_due_s END, 4102444800), coalesce(CASE WHEN NEW.attendance_stop_s IS NULL THEN NEW.attendance_due_s END, 4102444800)) END)
    WHERE id = NEW.report_id AND queue_due_s IS NOT (CASE WHEN NEW.computed_s = 0 THEN 0 ELSE min(coalesce(CASE WHEN NEW.answered_stop_s IS NULL THEN NEW.answered_due_s END, 4102444800), coalesce(CASE WHEN NEW.reference_stop_s IS NULL THEN NEW.reference_due_s END, 4102444800), coalesce(CASE WHEN NEW.decision_stop_s IS NULL THEN NEW.decision_due_s END, 4102444800), coalesce(CASE WHEN NEW.update_stop_s IS NULL THEN NEW.update_due_s END, 4102444800), coalesce(CASE WHEN NEW.attendance_stop_s IS NULL THEN NEW.attendance_due_s END, 4102444800)) END);
END;

UPDATE reports SET queue_due_s = 0;

CREATE TABLE console_flag_counts (
    force TEXT NOT NULL,
    flag TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (force, flag)
);

CREATE TRIGGER console_flag_raised AFTER INSERT ON report_flags
BEGIN
    INSERT INTO console_flag_counts (force, flag, n)
    VALUES ((SELECT coalesce(force, '') FROM reports WHERE id = NEW.report_id), NEW.flag, 1)
    ON CONFLICT (force, flag) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER console_flag_cleared AFTER DELETE ON report_flags
BEGIN
    UPDATE console_flag_counts SET n = n - 1
    WHERE force = (SELECT coalesce(force, '') FROM reports WHERE id = OLD.report_id) AND flag = OLD.flag;
END;

CREATE TRIGGER console_flag_rerouted AFTER UPDATE OF force ON reports WHEN OLD.force IS NOT NEW.force
BEGIN
    UPDATE console_flag_counts SET n = n - 1
    WHERE force = coalesce(OLD.force, '') AND flag IN (SELECT flag FROM report_flags WHERE report_id = NEW.id);
    INSERT INTO console_flag_counts (force, flag, n)
    SELECT coalesce(NEW.force, ''), flag, 1 FROM report_flags WHERE report_id = NEW.id
    ON CONFLICT (force, flag) DO UPDATE SET n = n + 1;
END;

INSERT INTO console_flag_counts (force, flag, n)
SELECT coalesce(r.force, ''), f.flag, count(*) FROM report_flags f JOIN reports r ON r.id = f.report_id
GROUP BY 1, 2;

CREATE VIRTUAL TABLE report_text USING fts5(
    description, place, registrations, content='', tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER console_text_new AFTER INSERT ON reports
BEGIN
    INSERT INTO report_text (rowid, description, place, registrations) VALUES (NEW.rowid, NEW.description, trim(coalesce(NEW.place_name, '') || ' ' || coalesce(NEW.grid_ref, '') || ' ' || coalesce(NEW.what3words, '')), coalesce((SELECT group_concat(json_extract(value, '$.registration'), ' ') FROM json_each(NEW.vehicles)), ''));
END;

CREATE TRIGGER console_text_gone AFTER DELETE ON reports
BEGIN
    INSERT INTO report_text (report_text, rowid, description, place, registrations)
    VALUES ('delete', OLD.rowid, OLD.description, trim(coalesce(OLD.place_name, '') || ' ' || coalesce(OLD.grid_ref, '') || ' ' || coalesce(OLD.what3words, '')), coalesce((SELECT group_concat(json_extract(value, '$.registration'), ' ') FROM json_each(OLD.vehicles)), ''));
END;

INSERT INTO report_text (rowid, description, place, registrations) SELECT r.rowid, r.description, trim(coalesce(r.place_name, '') || ' ' || coalesce(r.grid_ref, '') || ' ' || coalesce(r.what3words, '')), coalesce((SELECT group_concat(json_extract(value, '$.registration'), ' ') FROM json_each(r.vehicles)), '') FROM reports r;

CREATE VIRTUAL TABLE report_places USING rtree(id, min_lat, max_lat, min_lon, max_lon, min_day, max_day);

CREATE TRIGGER console_place_new AFTER INSERT ON reports
BEGIN
    INSERT INTO report_places VALUES (
        NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon, (julianday(NEW.occurred_at) - 2440587.5), (julianday(NEW.occurred_at) - 2440587.5)
    );
END;

CREATE TRIGGER console_place_gone AFTER DELETE ON reports
BEGIN
    DELETE FROM report_places WHERE id = OLD.rowid;
    DELETE FROM report_nearby_forces WHERE report_id = OLD.id;
END;

INSERT INTO report_places SELECT r.rowid, r.lat, r.lat, r.lon, r.lon, (julianday(r.occurred_at) - 2440587.5), (julianday(r.occurred_at) - 2440587.5)
FROM reports r;

CREATE TABLE report_nearby_forces (
    report_id TEXT NOT NULL REFERENCES reports(id),
    force TEXT NOT NULL,
    distance_m REAL NOT NULL,
    PRIMARY KEY (report_id, force)
);
CREATE INDEX report_nearby_forces_force ON report_nearby_forces(force, distance_m);

CREATE TABLE update_templates (
    id INTEGER PRIMARY KEY,
    force TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    UNIQUE (force, title)
);

CREATE INDEX staff_reads_at ON staff_reads(at);

UPDATE report_clocks SET computed_s = computed_s;
"""
