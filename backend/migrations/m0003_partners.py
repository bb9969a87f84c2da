"""Open311 partners: systems (councils, the Environment Agency, FixMyStreet) that submit and read reports.

Each partner submits through its own row in `devices` (kind 'partner'), so that its reports go through the same
intake as a farmer's phone. `partner_requests` keeps what an Open311 POST carries beyond the report itself: the
partner's own idempotency key, its references, and the contact details of the person who reported through the
partner (personal data, for the police's call back only; never shown over Open311).
"""

SQL = """
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'phone' CHECK (kind IN ('phone', 'partner'));

CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    api_key_hash TEXT NOT NULL UNIQUE,
    categories TEXT NOT NULL DEFAULT '[]',
    forces TEXT NOT NULL DEFAULT '[]',
    device_id TEXT NOT NULL UNIQUE REFERENCES devices(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE partner_requests (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    partner_key TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    media_url TEXT,
    account_id TEXT,
    submitted_at TEXT NOT NULL
);
CREATE UNIQUE INDEX partner_requests_key ON partner_requests(partner_id, partner_key) WHERE partner_key IS NOT NULL;

CREATE INDEX reports_received ON reports(received_at);
"""
