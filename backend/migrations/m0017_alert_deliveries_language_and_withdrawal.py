"""Alert messages in the farmer's language, and word when an alert is withdrawn.

- `language`: the language of each queued SMS and email, the farmer's phone's when it was queued, so a
  Welsh-speaking farmer's messages are in Welsh (issue 18: everything a farmer receives).
- `kind`: 'alert' (the alert itself, as before) or 'withdrawn' (a farmer who was sent an alert is told when the
  police withdraw it, so nobody keeps watching the lane for a pickup the police have already stopped). Each
  recipient gets each kind at most once, so the unique key gains the kind, and SQLite changes a table's
  constraints only by building it again: the rows keep their ids.
"""

# A rebuilt table repeats its columns from m0012, as every such SQLite migration must; both are frozen.
# pylint: disable=duplicate-code

SQL = """
CREATE TABLE alert_deliveries_rebuilt (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'withdrawn')),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy')),
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    gave_up_at TEXT,
    last_error TEXT,
    UNIQUE (alert_id, kind, channel, recipient)
);
INSERT INTO alert_deliveries_rebuilt (
    id, alert_id, kind, channel, recipient, language, created_at, attempts, next_attempt_at, claimed_until,
    sent_at, gave_up_at, last_error
)
SELECT id, alert_id, 'alert', channel, recipient, 'en', created_at, attempts, next_attempt_at, claimed_until,
    sent_at, gave_up_at, last_error
FROM alert_deliveries;
DROP TABLE alert_deliveries;
ALTER TABLE alert_deliveries_rebuilt RENAME TO alert_deliveries;
CREATE INDEX alert_deliveries_pending ON alert_deliveries(next_attempt_at)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;
"""
