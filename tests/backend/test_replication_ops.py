"""Replication around the must-shows: `hedgerow restore` refusing what it cannot do, `hedgerow drill` recorded and
shown on the admin page (to admins only), /healthz?deep=1 with replication off, and the photo replicator's queue:
copies retried until done, removals held for the retention window and dropped for a photo stored again."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from backend.db import open_and_migrate
from backend.ops.replication.photos import PhotoReplicator
from backend.ops.replication.store import FolderStore
from backend.services.intake import photos
from backend.writes import write
from tests.backend.console_support import KENT_POLICE, ConsoleServer, Farmer, login, start_console_server
from tests.backend.intake import noise_jpeg, query, uploader
from tests.backend.replication_support import deep_health
from tests.support import LiveServer, photo_decl, wait_until


def cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    done = LiveServer(tmp_path / "cli-data", env=env).cli(*args)
    return done.returncode, done.stdout + done.stderr


def test_restore_refuses_a_data_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hedgerow.db").write_text("the live database")
    code, out = cli(tmp_path, "restore", "--from", f"file://{tmp_path / 'replica'}", str(tmp_path / "data"))
    assert code == 2 and "is not empty: restore into a new directory" in out
    assert (tmp_path / "data" / "hedgerow.db").read_text() == "the live database"


@pytest.mark.parametrize("url", ["http://example.org/replica", "file://relative/path", "s3:///no-bucket", "replica"])
def test_restore_refuses_a_url_that_is_not_a_replica(tmp_path: Path, url: str) -> None:
    code, out = cli(tmp_path, "restore", "--from", url, str(tmp_path / "new"))
    assert code == 2 and "is not a replica URL: give file:///absolute/path or s3://bucket/path" in out
    assert not (tmp_path / "new").exists()


def test_restore_from_a_replica_that_holds_nothing_fails_plainly(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out = cli(tmp_path, "restore", "--from", f"file://{tmp_path / 'empty'}", str(tmp_path / "new"))
    assert code == 1 and "PROBLEM: litestream restore failed" in out and out.rstrip().endswith("restore FAILED")


def test_restore_refuses_a_moment_without_its_offset(tmp_path: Path) -> None:
    args = ["restore", "--from", f"file://{tmp_path}", "--at", "2026-03-01T09:00:00", str(tmp_path / "new")]
    code, out = cli(tmp_path, *args)
    assert code != 0 and "give the time with its offset" in out


def test_a_drill_without_a_replica_says_there_is_none(tmp_path: Path) -> None:
    code, out = cli(tmp_path, "drill")
    assert code == 2 and "HEDGEROW_REPLICA_URL is not set: there is no replica to drill" in out


def test_deep_health_without_replication_says_it_is_off(server: LiveServer) -> None:
    assert deep_health(server.url) == (200, {"status": "ok", "replication": {"status": "off"}})
    assert httpx.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    root = tmp_path_factory.mktemp("replicated")
    server = start_console_server(root / "server", HEDGEROW_REPLICA_URL=f"file://{root / 'replica'}")
    yield server
    server.close()


def caught_up(server: ConsoleServer) -> bool:
    state = deep_health(server.url)[1]["replication"]
    return state["database"]["lag_s"] == 0.0 and state["photos"]["backlog"] == 0


def test_a_drill_is_recorded_and_shown_to_admins_with_the_lag_and_a_damaged_replica_fails_it(
    replicated: ConsoleServer,
) -> None:
    farmer = Farmer(replicated)
    data = noise_jpeg(7, 200, 150)
    decl = photo_decl(data)
    report_id = farmer.report(photos=[decl])
    uploader(replicated.url, farmer.headers, data, report_id, decl, chunk_size=1 << 20).upload()
    replica = Path(deep_health(replicated.url)[1]["replication"]["replica"].removeprefix("file://"))
    sha = decl["sha256"]
    original = replica / "photos" / "original" / sha[:2] / f"{sha}.jpg"
    display = replica / "photos" / "display" / sha[:2] / f"{sha}.jpg"
    # The backlog on the health page is counted by the replicator as it goes, so it can read 0 for a moment before
    # it has seen the new photo: wait for the copies themselves too.
    wait_until(
        lambda: caught_up(replicated) and original.is_file() and display.is_file(),
        "the report and its photo are on the replica",
    )
    assert hashlib.sha256(original.read_bytes()).hexdigest() == sha

    done = replicated.live.cli("drill")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "drill passed: recovery point 0.0 s, recovery time" in done.stdout
    assert "reports: 1," in done.stdout and "photos: 1 ok, 0 missing" in done.stdout

    original.unlink()  # the replica lost a photo: the next drill must say so
    done = replicated.live.cli("drill")
    assert done.returncode == 1 and f"missing: {sha}" in done.stdout and "drill FAILED" in done.stdout
    rows = replicated.query("SELECT ok, reports, photos_ok, photos_missing, problems FROM replication_drills")
    assert [tuple(r) for r in rows] == [
        (1, 1, 1, 0, ""),
        (0, 1, 0, 1, "1 photo(s) the reports hold are not on the replica"),
    ]

    admin = login(replicated, "force.admin", "admin")
    page = admin.get("/console/admin/replication")
    assert page.status_code == 200
    assert "Replicating." in page.text and "Litestream</th><td>running (process" in page.text
    assert "passed" in page.text and "FAILED: 1 photo(s) the reports hold are not on the replica" in page.text
    assert "Photos waiting</th><td>0" in page.text
    assert 'href="/console/admin/replication"' in admin.get("/console/admin").text

    supervisor = login(replicated, "kent.super", "supervisor", KENT_POLICE)
    assert supervisor.get("/console/admin/replication").status_code == 403
    assert 'href="/console/admin/replication"' not in supervisor.get("/console/admin").text
    anonymous = replicated.client().get("/console/admin/replication")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/console/login")


def test_the_replication_page_says_when_replication_is_off(tmp_path: Path) -> None:
    server = start_console_server(tmp_path / "plain")
    try:
        page = login(server, "plain.admin", "admin").get("/console/admin/replication")
        assert page.status_code == 200 and "Replication is off: set <code>HEDGEROW_REPLICA_URL</code>" in page.text
        assert "No drill yet" in page.text
    finally:
        server.close()


def _store_photo(db_path: Path, photos_dir: Path, data: bytes) -> str:
    """A photo as intake stores it: its files, then its row (m0013's trigger queues the copy)."""
    info = photos.inspect(data, hashlib.sha256(data).hexdigest())
    photos.store(photos_dir, data, info)
    db = open_and_migrate(db_path)
    with write(db):
        db.execute(
            "INSERT INTO photo_blobs (sha256, bytes, content_type, width, height, stored_at) VALUES (?, ?, ?, ?, ?, ?)",
            [info.sha256, info.bytes, info.content_type, info.width, info.height, datetime.now(UTC).isoformat()],
        )
    db.close()
    return info.sha256


def _erase(db_path: Path, sha256: str) -> None:
    db = open_and_migrate(db_path)
    with write(db):
        db.execute("DELETE FROM photo_blobs WHERE sha256 = ?", [sha256])
    db.close()


def _queue(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT action, attempts, done_at IS NOT NULL, last_error FROM photo_replication ORDER BY id")
    found = [tuple(r) for r in rows]
    conn.close()
    return found


def test_a_photo_copy_the_store_refuses_is_tried_again_until_it_is_done(tmp_path: Path) -> None:
    db_path, photos_dir = tmp_path / "hedgerow.db", tmp_path / "photos"
    blocked = tmp_path / "replica"
    blocked.write_text("a file where the replica's folder should be")
    sha = _store_photo(db_path, photos_dir, noise_jpeg(1, 120, 90))
    replicator = PhotoReplicator(db_path, photos_dir, FolderStore(blocked), keep_h=24)
    replicator.start()
    try:
        wait_until(lambda: _queue(db_path)[0][1] >= 1, "the refused copy is counted")
        action, _, done, error = _queue(db_path)[0]
        assert (action, done) == ("copy", False) and "NotADirectoryError" in error
        wait_until(lambda: replicator.backlog is not None and replicator.backlog.failing == 1, "shown as failing")
        assert replicator.backlog.waiting == 1 and replicator.backlog.last_error == error

        blocked.unlink()  # the store is back
        wait_until(lambda: _queue(db_path)[0][2], "the copy is done on a later try", timeout=20)
    finally:
        replicator.stop()
    action, tries, done, error = _queue(db_path)[0]
    assert (action, done, error) == ("copy", True, None) and tries >= 1
    for size in ("original", "display", "thumb"):
        assert (blocked / "photos" / size / sha[:2] / f"{sha}.jpg").is_file()
    assert replicator.backlog is not None and replicator.backlog.waiting == 0


def test_a_purged_photo_leaves_the_replica_after_the_window_unless_it_is_stored_again(tmp_path: Path) -> None:
    db_path, photos_dir, replica = tmp_path / "hedgerow.db", tmp_path / "photos", tmp_path / "replica"
    kept, gone = noise_jpeg(2, 120, 90), noise_jpeg(3, 120, 90)
    kept_sha, gone_sha = _store_photo(db_path, photos_dir, kept), _store_photo(db_path, photos_dir, gone)

    def on_replica(sha: str) -> bool:
        return (replica / "photos" / "original" / sha[:2] / f"{sha}.jpg").is_file()

    waiting = PhotoReplicator(db_path, photos_dir, FolderStore(replica), keep_h=24)
    waiting.start()
    try:
        wait_until(lambda: on_replica(kept_sha) and on_replica(gone_sha), "both copied")
        _erase(db_path, gone_sha)
        time.sleep(1.5)  # three rounds of the replicator
        assert on_replica(gone_sha), "kept for the window: a restore to before the purge needs it"
    finally:
        waiting.stop()

    _erase(db_path, kept_sha)
    _store_photo(db_path, photos_dir, kept)  # the same photo came back (another report holds it again)
    done = PhotoReplicator(db_path, photos_dir, FolderStore(replica), keep_h=0)
    done.start()
    try:
        wait_until(lambda: not on_replica(gone_sha), "the purged photo's copies are removed after the window")
        wait_until(lambda: all(r[2] for r in _queue(db_path)), "every job done")
    finally:
        done.stop()
    assert on_replica(kept_sha), "a photo held again keeps its copy"
    assert not any((replica / "photos" / s / gone_sha[:2] / f"{gone_sha}.jpg").exists() for s in ("display", "thumb"))
    # A removal done takes its photo's earlier rows with it (the hash is the last trace of a purged photo); the
    # photo stored again keeps only its new copy's row.
    assert [r[0] for r in _queue(db_path)] == ["copy"]
    assert [r[0] for r in query(db_path, "SELECT sha256 FROM photo_replication")] == [kept_sha]
    assert query(db_path, "SELECT count(*) FROM photo_blobs")[0][0] == 1
