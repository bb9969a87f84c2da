"""Reports sent without a name (`"anonymous": true`): staff never see the reporter's contact details for them
(backend/services/intake/report_views.py's `reporter` is the one place that decides)."""

SQL = """
ALTER TABLE reports ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
"""
