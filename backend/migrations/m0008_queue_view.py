"""The queue view each member of staff last chose ("new", "due", "overdue", "backlog"): it opens that way again."""

SQL = """
ALTER TABLE users ADD COLUMN queue_view TEXT;
"""
