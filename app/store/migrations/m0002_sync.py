"""What the sync engine keeps beyond the outbox: unread police answers and a report's problem in plain words."""

SQL = """
-- unread: police answers pulled since the farmer last opened the report (the home screen's marker).
ALTER TABLE reports ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
-- problem: why the server will not take this report as it is (409, 413, 422), shown until the farmer acts.
ALTER TABLE reports ADD COLUMN problem TEXT;
"""
