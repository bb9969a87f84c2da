"""Alerts from the police to farmers (issue 19): the alerts and their events, each device's coarse alert places and
channels, who pulled which alert, and the SMS and email outbox.

- `alerts`: one row per alert, its current state; `seq` is the id of its latest event, the pull's cursor. The
  `box_*` columns are the circle's bounding box and `ends_s` the second it stops (expiry or withdrawal), computed
  by backend/services/alerts/ and copied by triggers into `alert_boxes`. `report_id` is the report it was started
  from, with no foreign key (the retention purge deletes reports; the link then leads nowhere) and
  `first_report_at` that report's receipt, kept for the NFU summaries.
- `alert_events`: every change (issued, edited, withdrawn), who made it and when, with what changed.
- `alert_boxes`, `alert_place_boxes`: R*Trees of the alerts' and the places' bounding boxes (alerts with their time
  span, in Unix seconds), kept by triggers: "which alerts reach this device" and "which devices this alert reaches"
  read a handful of boxes, then measure the exact distances.
- `alert_places`: each device's places, snapped to the 1 km National Grid square whatever the phone sent;
  `alert_subscriptions`: whether it wants alerts by SMS or email (to its registered phone or email) and the version of
  its places (counted up at each change: the pull's cursor holds it). Both go with the device (ON DELETE CASCADE: the retention purge deletes silent devices).
- `alert_reached`: the devices that pulled each alert (the console's "devices reached").
- `alert_deliveries`: one row per alert, channel and recipient, unique, written in the transaction that issues the
  alert, so each recipient is sent an alert at most once however often delivery is retried.
- `reports.alert_id`: the alert a report answers ("I've seen this").
"""

SQL = """
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    force TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    category TEXT,
    vehicle_registration TEXT,
    photo_sha256 TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    radius_km REAL NOT NULL,
    box_min_lat REAL NOT NULL, box_max_lat REAL NOT NULL, box_min_lon REAL NOT NULL, box_max_lon REAL NOT NULL,
    issued_by INTEGER NOT NULL REFERENCES users(id),
    issued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    withdrawn_at TEXT,
    issued_s INTEGER NOT NULL,
    ends_s INTEGER NOT NULL,
    report_id TEXT,
    first_report_at TEXT,
    seq INTEGER NOT NULL
);
CREATE INDEX alerts_seq ON alerts(seq);
CREATE INDEX alerts_ends ON alerts(ends_s) WHERE withdrawn_at IS NULL;
CREATE INDEX alerts_force ON alerts(force, issued_s);
CREATE INDEX alerts_report ON alerts(report_id) WHERE report_id IS NOT NULL;

CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    kind TEXT NOT NULL CHECK (kind IN ('issued', 'edited', 'withdrawn')),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert ON alert_events(alert_id, id);

CREATE VIRTUAL TABLE alert_boxes USING rtree(id, min_lat, max_lat, min_lon, max_lon, min_s, max_s);

CREATE TRIGGER alert_box_new AFTER INSERT ON alerts
BEGIN
    INSERT INTO alert_boxes VALUES (
        NEW.id, NEW.box_min_lat, NEW.box_max_lat, NEW.box_min_lon, NEW.box_max_lon, NEW.issued_s, NEW.ends_s
    );
END;

CREATE TRIGGER alert_box_changed AFTER UPDATE OF box_min_lat, box_max_lat, box_min_lon, box_max_lon, issued_s, ends_s
ON alerts
BEGIN
    UPDATE alert_boxes SET min_lat = NEW.box_min_lat, max_lat = NEW.box_max_lat, min_lon = NEW.box_min_lon,
        max_lon = NEW.box_max_lon, min_s = NEW.issued_s, max_s = NEW.ends_s
    WHERE id = NEW.id;
END;

CREATE TABLE alert_places (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    radius_km REAL NOT NULL,
    box_min_lat REAL NOT NULL, box_max_lat REAL NOT NULL, box_min_lon REAL NOT NULL, box_max_lon REAL NOT NULL
);
CREATE INDEX alert_places_device ON alert_places(device_id);

CREATE VIRTUAL TABLE alert_place_boxes USING rtree(id, min_lat, max_lat, min_lon, max_lon);

CREATE TRIGGER alert_place_box_new AFTER INSERT ON alert_places
BEGIN
    INSERT INTO alert_place_boxes VALUES (NEW.id, NEW.box_min_lat, NEW.box_max_lat, NEW.box_min_lon, NEW.box_max_lon);
END;

CREATE TRIGGER alert_place_box_gone AFTER DELETE ON alert_places
BEGIN
    DELETE FROM alert_place_boxes WHERE id = OLD.id;
END;

CREATE TABLE alert_subscriptions (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    sms INTEGER NOT NULL DEFAULT 0,
    email INTEGER NOT NULL DEFAULT 0,
    places_version INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE alert_reached (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (alert_id, device_id)
) WITHOUT ROWID;
CREATE INDEX alert_reached_device ON alert_reached(device_id);

CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    gave_up_at TEXT,
    last_error TEXT,
    UNIQUE (alert_id, channel, recipient)
);
CREATE INDEX alert_deliveries_pending ON alert_deliveries(next_attempt_at)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;

ALTER TABLE reports ADD COLUMN alert_id INTEGER;
CREATE INDEX reports_alert ON reports(alert_id) WHERE alert_id IS NOT NULL;
"""
