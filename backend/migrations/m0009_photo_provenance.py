"""Where a photo came from, as the phone declares it beside the image (the upload copy carries no EXIF): the
camera's capture time and position, and the digest of the original file kept on the phone."""

SQL = """
ALTER TABLE report_photos ADD COLUMN taken_at TEXT;
ALTER TABLE report_photos ADD COLUMN taken_lat REAL;
ALTER TABLE report_photos ADD COLUMN taken_lon REAL;
ALTER TABLE report_photos ADD COLUMN original_sha256 TEXT;
"""
