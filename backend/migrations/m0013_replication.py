"""Replication (issue 20): the photos still to copy to the replica store, and the record of restore drills.

- `photo_replication`: one row per photo file set to copy to the replica (`copy`, when its `photo_blobs` row is
  made) or to remove from it (`remove`, when the retention purge erases the photo), queued by triggers in the
  same transaction as the photo itself, so nothing stored is ever missed and nothing is queued that did not
  commit. The replicator (backend/ops/replication/photos.py) sets `done_at`, or counts `attempts` with the
  last error and when to try again. Photos stored before this migration are queued here too.
- `replication_drills`: each `hedgerow drill`: when, from which replica, whether it passed, the recovery point
  (how far the newest restored report was behind the live database's newest) and the recovery time.
"""

SQL = """
CREATE TABLE photo_replication (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('copy', 'remove')),
    content_type TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT,
    last_error TEXT,
    done_at TEXT
);
CREATE INDEX photo_replication_pending ON photo_replication(id) WHERE done_at IS NULL;

CREATE TRIGGER photo_replication_copy AFTER INSERT ON photo_blobs
BEGIN
    INSERT INTO photo_replication (sha256, action, content_type, queued_at)
    VALUES (NEW.sha256, 'copy', NEW.content_type, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER photo_replication_remove AFTER DELETE ON photo_blobs
BEGIN
    INSERT INTO photo_replication (sha256, action, content_type, queued_at)
    VALUES (OLD.sha256, 'remove', OLD.content_type, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

INSERT INTO photo_replication (sha256, action, content_type, queued_at)
SELECT sha256, 'copy', content_type, stored_at FROM photo_blobs ORDER BY stored_at, sha256;

CREATE TABLE replication_drills (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    replica TEXT NOT NULL,
    ok INTEGER NOT NULL,
    recovery_point_s REAL,
    recovery_time_s REAL NOT NULL,
    reports INTEGER,
    newest_report_at TEXT,
    photos_ok INTEGER,
    photos_missing INTEGER,
    problems TEXT NOT NULL DEFAULT ''
);
"""
