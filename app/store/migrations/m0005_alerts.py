"""Alerts from the police (issue 19): the alerts pulled, the pull's cursor, and the farmer's alert settings."""

SQL = """
-- An alert as pulled (wire/alerts.py AlertPublic), kept so that it shows with no signal until it is withdrawn or
-- expires. read_at: when the farmer opened it (NULL: unread; an alert the police change is unread again).
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    force TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    category TEXT,
    vehicle_registration TEXT,
    area_lat REAL NOT NULL,
    area_lon REAL NOT NULL,
    area_radius_km REAL NOT NULL,
    issued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    photo_url TEXT,
    read_at TEXT,
    pulled_at TEXT NOT NULL
);

CREATE INDEX alerts_expires ON alerts(expires_at);

-- One row: whether the farmer wants alerts, the farm's point (kept here, sent only rounded), and how else to be told.
-- places_version counts changes of the chosen places and places_sent_version is the last one the server took, so a
-- change made with no signal is sent by a later sync; the same for the SMS and email choices. problem: why the
-- server refused them, in its words. cursor: the alerts pull's; NULL asks for the whole list (after the places
-- change, alerts already active at a new place have not changed since the old cursor).
CREATE TABLE alert_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    opted_in INTEGER NOT NULL DEFAULT 0,
    farm_lat REAL,
    farm_lon REAL,
    farm_grid_ref TEXT,
    farm_radius_km REAL,
    sms INTEGER NOT NULL DEFAULT 0,
    email INTEGER NOT NULL DEFAULT 0,
    places_version INTEGER NOT NULL DEFAULT 0,
    places_sent_version INTEGER NOT NULL DEFAULT 0,
    channels_version INTEGER NOT NULL DEFAULT 0,
    channels_sent_version INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    cursor TEXT,
    updated_at TEXT NOT NULL
);

-- The saved places (places table) the farmer wants alerts about, each with its radius.
CREATE TABLE alert_places (
    place_id INTEGER PRIMARY KEY REFERENCES places(id) ON DELETE CASCADE,
    radius_km REAL NOT NULL CHECK (radius_km > 0),
    chosen_at TEXT NOT NULL
);

-- A saved place moved (saved again under its name) while it is an alert place: the server must hear of it.
CREATE TRIGGER alert_place_moved AFTER UPDATE OF lat, lon ON places
WHEN EXISTS (SELECT 1 FROM alert_places WHERE place_id = NEW.id) AND (OLD.lat != NEW.lat OR OLD.lon != NEW.lon)
BEGIN
    UPDATE alert_settings SET places_version = places_version + 1 WHERE id = 1;
END;
"""
