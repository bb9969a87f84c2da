"""Must-show 4: `hedgerow backup` taken while a phone keeps sending reports and photos gives a copy that passes
PRAGMA integrity_check, holds every report acknowledged before the backup began with its photo files, and
restores to a working backend."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from backend.db import open_and_migrate
from backend.services.areas.boundaries import import_areas
from backend.services.intake.reports import put_report
from tests.backend.intake import files_in, noise_jpeg, query, scalar, uploader
from tests.support import DEMO_AREAS, LiveServer, photo_decl, register, report_body, wait_until
from wire.reports import ReportCreate

# Enough rows that the copy of the database takes a while, so writes land while it is under way.
PREFILLED_REPORTS = 4000
PHONES = 4


def prefill(data_dir: Path) -> None:
    """Reports written through the intake service itself, in one transaction, before the server starts."""
    db = open_and_migrate(data_dir / "hedgerow.db")
    import_areas(db, DEMO_AREAS)
    now = datetime.now(UTC)
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, created_at) "
        "VALUES ('prefill', 'x', 'Old', '01234 567890', ?)",
        [now.isoformat()],
    )
    body = ReportCreate.model_validate(report_body(description="An older report. " * 80))
    with db.atomic():
        for _ in range(PREFILLED_REPORTS):
            put_report(db, "prefill", str(uuid.uuid4()), body, now)
    db.close()


class Writer(threading.Thread):
    """A phone sending report after report (each with a photo, if `photos`), noting when each was acknowledged."""

    def __init__(self, url: str, device: dict[str, str], photos: bool) -> None:
        super().__init__(daemon=True)
        self.url, self.device, self.with_photos = url, device, photos
        self.lock = threading.Lock()
        self.reports: list[tuple[float, str]] = []  # (monotonic time of the 201, report id)
        self.photos: list[tuple[float, str]] = []  # (monotonic time the last PATCH was answered, sha256)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.url, timeout=60) as c:
                i = 0
                while not self.stop.is_set():
                    photo = noise_jpeg(5000 + i, 120, 90)
                    decl = photo_decl(photo)
                    rid = str(uuid.uuid4())
                    body = report_body(photos=[decl] if self.with_photos else [])
                    r = c.put(f"/api/v1/reports/{rid}", json=body, headers=self.device)
                    assert r.status_code == 201, r.text
                    with self.lock:
                        self.reports.append((time.monotonic(), rid))
                    if self.with_photos:
                        uploader(self.url, self.device, photo, rid, decl).upload()
                        with self.lock:
                            self.photos.append((time.monotonic(), decl["sha256"]))
                    i += 1
        except BaseException as exc:
            self.error = exc

    def acknowledged_before(self, moment: float) -> tuple[set[str], set[str]]:
        with self.lock:
            return {r for t, r in self.reports if t < moment}, {s for t, s in self.photos if t < moment}

    def acknowledged_after(self, moment: float) -> set[str]:
        with self.lock:
            return {r for t, r in self.reports if t > moment}

    def count_between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(start <= t <= end for t, _ in self.reports)


@pytest.mark.slow
def test_a_backup_taken_while_reports_arrive_holds_every_report_acknowledged_before_it_began(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    prefill(server.data_dir)
    server.start()
    # One phone sends photos too; three more keep the writes coming (about one every few milliseconds).
    writers: list[Writer] = []
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            device = register(c)
        writers = [Writer(server.url, device, photos=i == 0) for i in range(PHONES)]
        for w in writers:
            w.start()

        def warmed_up() -> bool:
            assert all(w.error is None and w.is_alive() for w in writers), [w.error for w in writers]
            return len(writers[0].photos) >= 10 and all(len(w.reports) >= 10 for w in writers)

        wait_until(warmed_up, "every phone has had 10 reports (and the first 10 photos) acknowledged", timeout=120)

        dest = tmp_path / "backup"
        began = time.monotonic()
        done = server.cli("backup", str(dest))
        ended = time.monotonic()
        reports_before: set[str] = set()
        photos_before: set[str] = set()
        for w in writers:
            reports, photos = w.acknowledged_before(began)
            reports_before |= reports
            photos_before |= photos
        written_meanwhile = sum(w.count_between(began, ended) for w in writers)
        wait_until(lambda: all(w.acknowledged_after(ended) for w in writers), "each phone heard after the backup")
        stop(writers)
        reports_after = set().union(*(w.acknowledged_after(ended) for w in writers))
        assert done.returncode == 0, done.stderr
        assert "integrity ok" in done.stdout
        # One step of every page: the copy reads a single snapshot and never starts over (which can go on for ever).
        steps = re.findall(r"database: (\d+)/(\d+) pages", done.stderr)
        assert len(steps) == 1 and steps[0][0] == steps[0][1], done.stderr
        # The server went on acknowledging reports while the backup ran (a backup holding up its writes fails here).
        assert written_meanwhile > 0, f"no report acknowledged in the {ended - began:.1f} s the backup ran"

        copy = dest / "hedgerow.db"
        assert query(copy, "PRAGMA integrity_check")[0][0] == "ok"
        held = {r[0] for r in query(copy, "SELECT id FROM reports WHERE device_id != 'prefill'")}
        assert reports_before <= held, f"missing: {reports_before - held}"
        assert not reports_after & held, "the copy is a snapshot taken before the backup ended"
        assert scalar(copy, "SELECT count(*) FROM reports WHERE device_id = 'prefill'") == PREFILLED_REPORTS
        copied = {p.stem for p in files_in(dest / "photos") if p.parts[0] == "original"}
        assert photos_before <= copied, f"photo files missing: {photos_before - copied}"
        for sha in photos_before:
            assert scalar(copy, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", sha) == 1
        assert (dest / "BACKUP.txt").exists()
    finally:
        stop(writers)
        server.stop()

    # Restore as the README says: the copy's database and photos into a fresh data directory.
    restored = LiveServer(tmp_path / "restored")
    restored.data_dir.mkdir()
    shutil.copy2(copy, restored.data_dir / "hedgerow.db")
    shutil.copytree(dest / "photos", restored.data_dir / "photos")
    restored.start()
    try:
        with httpx.Client(base_url=restored.url, timeout=30) as c:
            for rid in sorted(reports_before)[:5]:
                view = c.get(f"/api/v1/reports/{rid}", headers=device)
                assert view.status_code == 200, view.text
                assert view.json()["area"]["name"] == "Kent"
            arrived = [
                p["arrived"]
                for rid in sorted(reports_before)
                for p in c.get(f"/api/v1/reports/{rid}", headers=device).json()["photos"]
                if p["sha256"] in photos_before
            ]
            assert arrived and all(arrived)
    finally:
        restored.stop()
    conn = sqlite3.connect(restored.data_dir / "hedgerow.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def stop(writers: list[Writer]) -> None:
    for w in writers:
        w.stop.set()
    for w in writers:
        w.join(60)
        assert w.error is None, w.error


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    open_and_migrate(server.data_dir / "hedgerow.db").close()
    dest = tmp_path / "used"
    dest.mkdir()
    (dest / "precious.txt").write_text("keep me")
    done = server.cli("backup", str(dest))
    assert done.returncode != 0
    assert "not empty" in done.stderr
    assert (dest / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in dest.iterdir()) == ["precious.txt"]
