"""The phone's first schema: the farmer, reports, photos, the outbox, drafts, places, settings, status updates."""

# Indented as the statements that shipped were: SQLite keeps a CREATE statement's text as written, and every
# phone's schema must read the same.
SQL = """
-- One row: the farmer and this phone's registration with the server (token once it has gone through).
CREATE TABLE profile (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            farm_name TEXT,
            postcode TEXT,
            email TEXT,
            server_url TEXT NOT NULL,
            device_id TEXT,
            token TEXT,
            created_at TEXT NOT NULL,
            registered_at TEXT
        );

-- A saved report: `body` is the ReportCreate JSON exactly as it will be sent (without sent_at).
CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL,
            happening_now INTEGER NOT NULL DEFAULT 0,
            occurred_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            body TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            sent_at TEXT,
            server_status TEXT,
            acknowledged_at TEXT,
            police_reference TEXT,
            server_updated_at TEXT
        );

-- Photos belong to a draft while it is typed and to a report once saved. Paths are relative to the
-- data directory, so that the phone can move it.
CREATE TABLE photos (
            id TEXT PRIMARY KEY,
            draft_id TEXT,
            report_id TEXT REFERENCES reports(id),
            position INTEGER NOT NULL DEFAULT 0,
            original_path TEXT NOT NULL,
            original_sha256 TEXT NOT NULL,
            original_content_type TEXT NOT NULL,
            original_bytes INTEGER NOT NULL,
            upload_path TEXT NOT NULL,
            upload_sha256 TEXT NOT NULL,
            upload_bytes INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            taken_at TEXT,
            gps_lat REAL,
            gps_lon REAL,
            created_at TEXT NOT NULL
        );

CREATE INDEX photos_report ON photos(report_id);

CREATE INDEX photos_draft ON photos(draft_id);

-- What must reach the server, oldest first. kind: register | report | photo | update | chase.
-- A photo row carries its tus upload URL and offset, so an interrupted upload resumes.
CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('register', 'report', 'photo', 'update', 'chase')),
            report_id TEXT REFERENCES reports(id),
            photo_id TEXT REFERENCES photos(id),
            payload TEXT,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_attempt_at TEXT,
            next_attempt_at TEXT,
            upload_url TEXT,
            upload_offset INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );

CREATE INDEX outbox_pending ON outbox(state, id);

CREATE INDEX outbox_report ON outbox(report_id);

-- The report being typed, saved at every change so that a killed app loses nothing.
CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            step TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

CREATE TABLE places (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            accuracy_m REAL,
            grid_ref TEXT,
            created_at TEXT NOT NULL,
            last_used_at TEXT
        );

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);

-- What the police did, as the server reports it (the sync engine fills this in).
CREATE TABLE status_updates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            report_id TEXT NOT NULL REFERENCES reports(id),
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            text TEXT,
            reference TEXT,
            received_at TEXT NOT NULL,
            UNIQUE (report_id, kind, at)
        );
"""
