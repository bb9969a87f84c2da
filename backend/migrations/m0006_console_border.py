"""The console's cross-border queue in order: each nearby-force row carries its report's due time and openness.

Another force's officers list the open reports near their border, soonest due first. Joining every nearby row
to `reports` to sort them costs a random read per row (tens of thousands near a long border at a million
reports), so `report_nearby_forces` keeps a copy of the report's `queue_due_s` and whether it is open, kept by
triggers, and a partial index gives the order directly. Only copies: the due time is the one the clocks module
stored (see m0004_console).
"""

SQL = """
ALTER TABLE report_nearby_forces ADD COLUMN queue_due_s INTEGER;
ALTER TABLE report_nearby_forces ADD COLUMN open INTEGER NOT NULL DEFAULT 1;

UPDATE report_nearby_forces SET
    queue_due_s = (SELECT r.queue_due_s FROM reports r WHERE r.id = report_nearby_forces.report_id),
    open = (SELECT r.status != 'closed' FROM reports r WHERE r.id = report_nearby_forces.report_id);

CREATE INDEX report_nearby_forces_queue
    ON report_nearby_forces(force, queue_due_s, report_id, distance_m) WHERE open;

CREATE TRIGGER console_border_new AFTER INSERT ON report_nearby_forces
BEGIN
    UPDATE report_nearby_forces SET
        queue_due_s = (SELECT r.queue_due_s FROM reports r WHERE r.id = NEW.report_id),
        open = coalesce((SELECT r.status != 'closed' FROM reports r WHERE r.id = NEW.report_id), 1)
    WHERE report_id = NEW.report_id AND force = NEW.force;
END;

CREATE TRIGGER console_border_changed AFTER UPDATE OF queue_due_s, status ON reports
BEGIN
    UPDATE report_nearby_forces SET queue_due_s = NEW.queue_due_s, open = NEW.status != 'closed'
    WHERE report_id = NEW.id AND (queue_due_s IS NOT NEW.queue_due_s OR open != (NEW.status != 'closed'));
END;
"""
