"""Indexes the retention purge needs at scale: it removes one report's notifications and one photo's replication
rows by key, and without these each was a scan of the whole table (at 1,000,000 reports the purge managed about
ten reports a second). The purge's other lookups already had theirs."""

SQL = """
CREATE INDEX notifications_report ON notifications(report_id) WHERE report_id IS NOT NULL;
CREATE INDEX photo_replication_sha ON photo_replication(sha256);
"""
