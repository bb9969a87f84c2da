"""The intake schema: devices, staff, areas, reports with their event log, photos."""

SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    farm_name TEXT,
    postcode TEXT,
    email TEXT,
    created_at TEXT NOT NULL,
    created_ip TEXT,
    clock_skew_s REAL,
    last_seen_at TEXT,
    revoked_at TEXT
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'nfu', 'admin')),
    force TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    label TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_at ON login_failures(at);

CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    force TEXT NOT NULL,
    nation TEXT NOT NULL CHECK (nation IN ('england_wales', 'scotland', 'northern_ireland')),
    kind TEXT NOT NULL DEFAULT 'force',
    demo INTEGER NOT NULL DEFAULT 0,
    geometry TEXT NOT NULL,
    min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
    UNIQUE (force, name)
);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    category TEXT NOT NULL,
    category_group TEXT NOT NULL,
    happening_now INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    occurred_until TEXT,
    description TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    accuracy_m REAL,
    location_source TEXT NOT NULL,
    grid_ref TEXT,
    what3words TEXT,
    place_name TEXT,
    details TEXT NOT NULL,
    vehicles TEXT NOT NULL,
    people TEXT,
    calls TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    clock_skew_s REAL,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    area_id INTEGER REFERENCES areas(id),
    force TEXT,
    police_reference TEXT,
    assigned_to INTEGER REFERENCES users(id),
    acknowledged_at TEXT,
    closed_at TEXT,
    public_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reports_device_seq ON reports(device_id, public_seq);
CREATE INDEX reports_force_received ON reports(force, received_at);
CREATE INDEX reports_unrouted ON reports(received_at) WHERE area_id IS NULL;

CREATE TABLE report_vehicles (
    report_id TEXT NOT NULL REFERENCES reports(id),
    idx INTEGER NOT NULL,
    registration TEXT NOT NULL,
    PRIMARY KEY (report_id, idx)
);
CREATE INDEX report_vehicles_registration ON report_vehicles(registration);

CREATE TABLE report_calls (
    report_id TEXT NOT NULL REFERENCES reports(id),
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    called_at TEXT NOT NULL,
    waited_s INTEGER,
    outcome TEXT NOT NULL,
    reference TEXT,
    PRIMARY KEY (report_id, idx)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports(id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('device', 'user', 'system', 'partner')),
    actor_id TEXT,
    public INTEGER NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    idem_key TEXT
);
CREATE INDEX events_report ON events(report_id, id);
CREATE UNIQUE INDEX events_idem ON events(report_id, idem_key) WHERE idem_key IS NOT NULL;

CREATE TABLE photo_blobs (
    sha256 TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    taken_at TEXT,
    exif_lat REAL,
    exif_lon REAL,
    exif TEXT NOT NULL DEFAULT '{}',
    stored_at TEXT NOT NULL
);

CREATE TABLE report_photos (
    report_id TEXT NOT NULL REFERENCES reports(id),
    photo_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    declared_at TEXT NOT NULL,
    received_at TEXT,
    error TEXT,
    PRIMARY KEY (report_id, photo_id)
);
CREATE INDEX report_photos_sha ON report_photos(sha256);

CREATE TABLE report_flags (
    report_id TEXT NOT NULL REFERENCES reports(id),
    flag TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    PRIMARY KEY (report_id, flag)
);

CREATE TABLE staff_reads (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    report_id TEXT NOT NULL,
    at TEXT NOT NULL,
    via TEXT NOT NULL
);
CREATE INDEX staff_reads_report ON staff_reads(report_id);
"""
