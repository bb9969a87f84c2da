"""Each police answer is marked read on its own, when the farmer opens its report (the report screen)."""

SQL = """
ALTER TABLE status_updates ADD COLUMN seen_at TEXT;
-- Answers already counted as read by the old per-report marker stay read.
UPDATE status_updates SET seen_at = received_at WHERE report_id IN (SELECT id FROM reports WHERE unread = 0);
"""
