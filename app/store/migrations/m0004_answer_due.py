"""When the police's first answer is due, as the server computed it from the response policy."""

SQL = """
-- answer_due_at: the server's due time of the report's public "answered" clock, from the pull; NULL until the
-- server has said, when that clock does not run, and once it has stopped (the police have answered).
ALTER TABLE reports ADD COLUMN answer_due_at TEXT;
"""
