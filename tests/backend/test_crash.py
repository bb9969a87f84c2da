"""Must-show 3: SIGKILL the backend in the middle of a batch of 200 report PUTs and photo uploads, restart it on
the same data, let the phones resend as the app does, and find every report and photo exactly once, whole."""

from __future__ import annotations

import hashlib
import queue
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from tests.backend.intake import files_in, noise_jpeg, query, scalar, uploader
from tests.support import DEMO_AREAS, LiveServer, photo_decl, register, report_body
from wire.reports import ReportCreate

REPORTS = 200
PHONES = 8
CHUNK = 8 * 1024
KILL_AFTER = 60  # reports whose photo has fully arrived before the server is killed
TUS = {"Tus-Resumable": "1.0.0"}


@dataclass
class Item:
    """One report with one photo, and what its phone knows about them."""

    report_id: str
    body: dict[str, Any]
    photo: bytes
    decl: dict[str, Any]
    put_status: int | None = None
    upload_url: str | None = None
    photo_done: bool = False


def make_items() -> list[Item]:
    items = []
    for i in range(REPORTS):
        photo = noise_jpeg(1000 + i, 200, 150)
        decl = photo_decl(photo)
        body = report_body(
            description=f"Report {i}: gate forced, diesel taken",
            photos=[decl],
            vehicles=[{"registration": f"AB{i:02d} CDE", "colour": "silver"}],
            calls=[{"channel": "101", "called_at": "2026-11-20T07:05:00Z", "waited_s": i, "outcome": "abandoned"}],
        )
        items.append(Item(str(uuid.uuid4()), body, photo, decl))
    return items


class Phone:
    """Sends reports and their photos the way the app does, through a real HTTP client and a stock tus client."""

    def __init__(self, base_url: str, device: dict[str, str]) -> None:
        self.base_url = base_url
        self.device = device
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def send(self, item: Item) -> None:
        r = self.http.put(f"/api/v1/reports/{item.report_id}", json=item.body, headers=self.device)
        item.put_status = r.status_code
        assert r.status_code in (200, 201), r.text
        if item.photo_done:
            return
        up = uploader(self.base_url, self.device, item.photo, item.report_id, item.decl, chunk_size=CHUNK, url=None)
        if item.upload_url is not None:
            head = self.http.head(item.upload_url, headers={**self.device, **TUS})
            if head.status_code == 200:  # resume from the offset the server holds
                up = uploader(
                    self.base_url,
                    self.device,
                    item.photo,
                    item.report_id,
                    item.decl,
                    chunk_size=CHUNK,
                    url=item.upload_url,
                )
            else:  # the upload is gone (finished, or never written): start a new one
                assert head.status_code == 404, head.text
        if up.url is None:
            up.set_url(up.create_url())
            item.upload_url = up.url
        up.upload()
        item.photo_done = True

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()


def run_batch(base_url: str, device: dict[str, str], items: list[Item], kill: threading.Event | None) -> list[str]:
    """PHONES threads send the items; a phone that loses the server stops, as the app waits for a signal.
    Returns the errors the phones saw."""
    work: queue.SimpleQueue[Item] = queue.SimpleQueue()
    for item in items:
        work.put(item)
    errors: list[str] = []
    done = 0
    lock = threading.Lock()

    def phone_loop() -> None:
        nonlocal done
        with Phone(base_url, device) as phone:
            while True:
                try:
                    item = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    phone.send(item)
                except (httpx.TransportError, TusCommunicationError, TusUploadFailed) as exc:
                    with lock:
                        errors.append(f"{item.report_id}: {type(exc).__name__}: {exc}")
                    return
                with lock:
                    done += 1
                    if kill is not None and done == KILL_AFTER:
                        kill.set()

    threads = [threading.Thread(target=phone_loop) for _ in range(PHONES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    return errors


@pytest.mark.slow
def test_kill_9_mid_batch_then_resend_leaves_every_report_and_photo_exactly_once(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data", env={"HEDGEROW_REGISTER_PER_HOUR": "1000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            device = register(c)
        items = make_items()
        assert len({item.decl["sha256"] for item in items}) == REPORTS

        kill = threading.Event()
        killer = threading.Thread(target=lambda: kill.wait(240) and server.kill())
        killer.start()
        errors = run_batch(server.url, device, items, kill)
        kill.set()  # had the batch finished before the kill, the count below would say so
        killer.join(30)
        assert server.proc is not None and server.proc.returncode == -9, "the server was killed, not stopped"
        confirmed = sum(item.photo_done for item in items)
        assert KILL_AFTER <= confirmed < REPORTS, "the kill came in the middle of the batch"
        assert errors, "some phone was cut off by the kill"

        server.start()  # same data directory, same port: the tus URLs the phones kept stay valid
        resend_errors = run_batch(server.url, device, items, kill=None)
        assert resend_errors == []
        assert all(item.put_status in (200, 201) and item.photo_done for item in items)
        server.stop()

        assert_everything_once(server.data_dir, items)
    finally:
        server.stop()


def assert_everything_once(data_dir: Path, items: list[Item]) -> None:
    db = data_dir / "hedgerow.db"
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert query(db, "PRAGMA foreign_key_check") == []
    by_id = {item.report_id: item for item in items}
    held = {r["id"]: r for r in query(db, "SELECT id, content_hash FROM reports")}
    assert set(held) == set(by_id), "every report, and nothing else"
    for rid, item in by_id.items():
        assert held[rid]["content_hash"] == ReportCreate.model_validate(item.body).content_hash()

    def per_report(sql: str) -> dict[str, int]:
        return {r[0]: r[1] for r in query(db, sql)}

    expected = dict.fromkeys(by_id, 1)
    assert per_report("SELECT report_id, count(*) FROM events WHERE kind = 'received' GROUP BY report_id") == expected
    assert (
        per_report("SELECT report_id, count(*) FROM events WHERE kind = 'photo_received' GROUP BY report_id")
        == expected
    )
    assert per_report("SELECT report_id, count(*) FROM report_vehicles GROUP BY report_id") == expected
    assert per_report("SELECT report_id, count(*) FROM report_calls GROUP BY report_id") == expected
    assert (
        per_report(
            "SELECT report_id, count(*) FROM report_photos WHERE received_at IS NOT NULL AND error IS NULL "
            "GROUP BY report_id"
        )
        == expected
    )

    blobs = {r[0] for r in query(db, "SELECT sha256 FROM photo_blobs")}
    assert blobs == {item.decl["sha256"] for item in items}
    assert scalar(db, "SELECT count(*) FROM photo_blobs") == REPORTS
    photos = data_dir / "photos"
    stored = {p for p in files_in(photos) if not p.name.startswith(".")}
    # A kill in the middle of an atomic write can leave only its hidden temporary file, which nothing reads.
    assert all(p.name.endswith(".tmp") for p in files_in(photos) - stored)
    originals = sorted(p for p in stored if p.parts[0] == "original")
    assert len(originals) == REPORTS, "each photo stored once, and no stray or temporary file"
    for path in originals:
        data = (photos / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == path.stem, f"{path} does not hold the bytes its name promises"
    for kind in ("display", "thumb"):
        assert {p.stem for p in stored if p.parts[0] == kind} == blobs


def _interrupted_upload(server: LiveServer) -> tuple[dict[str, str], Item, Path]:
    """A report whose photo upload stopped one byte short, on a server then killed. Returns the device, the item
    and the upload's data file, for a test to leave it as a crash at a chosen moment would."""
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as c:
        device = register(c)
        item = make_items()[0]
        assert c.put(f"/api/v1/reports/{item.report_id}", json=item.body, headers=device).status_code == 201
    up = uploader(server.url, device, item.photo, item.report_id, item.decl, chunk_size=CHUNK)
    up.upload(stop_at=len(item.photo) - 1)
    item.upload_url = up.url
    server.kill()
    return device, item, server.data_dir / "uploads" / f"{up.url.rsplit('/', 1)[1]}.bin"


def _photo(server: LiveServer, device: dict[str, str], item: Item) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        return c.get(f"/api/v1/reports/{item.report_id}", headers=device).json()["photos"][0]


def test_an_upload_whose_last_bytes_were_written_just_before_the_kill_is_finished_at_restart(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    try:
        device, item, data = _interrupted_upload(server)
        # The process wrote the last byte, then died before storing the photo (the last piece's offset is only
        # recorded once the photo is stored).
        with open(data, "ab") as f:
            f.write(item.photo[-1:])

        server.start()
        assert _photo(server, device, item)["arrived"] is True, "finished at start-up, before any client came back"
        with httpx.Client(timeout=30) as c:
            head = c.head(item.upload_url, headers={**device, **TUS})
            assert head.status_code == 200, "a finished upload answers its offset until it expires"
            assert head.headers["upload-offset"] == str(len(item.photo))
        with Phone(server.url, device) as phone:
            phone.send(item)  # what the app does next: no harm in sending it again
        server.stop()
        assert scalar(server.data_dir / "hedgerow.db", "SELECT count(*) FROM photo_blobs") == 1
        assert {p.suffix for p in files_in(server.data_dir / "uploads")} == {".json"}, "records only, no bytes"
    finally:
        server.stop()


def test_bytes_written_but_not_recorded_before_the_kill_are_cut_off_before_resuming(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    try:
        device, item, data = _interrupted_upload(server)
        with open(data, "ab") as f:  # appended by a PATCH that died before it saved the new offset
            f.write(b"\x00garbage from a dead request")

        server.start()
        with Phone(server.url, device) as phone:
            phone.send(item)  # HEAD, then resume from the recorded offset
        assert _photo(server, device, item) == {**item.decl, "arrived": True, "error": None}
        sha = item.decl["sha256"]
        assert (server.data_dir / "photos" / "original" / sha[:2] / f"{sha}.jpg").read_bytes() == item.photo
    finally:
        server.stop()
