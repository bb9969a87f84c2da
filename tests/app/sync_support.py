"""Helpers for the sync tests and benchmark: a phone full of saved reports, and what the server holds."""

from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from app.services.photos import ProcessedPhoto
from app.store import Store
from app.store.photos import add_draft_photo
from app.store.profile import save_profile
from app.store.reports import save_report
from backend.services.intake.photos import blob_path
from tests.support import DEMO_AREAS, LiveServer, report_body
from wire.reports import DeviceCreate, ReportCreate


def noise_jpeg(rng: random.Random, width: int, height: int, quality: int = 85) -> bytes:
    """A real JPEG of random pixels: it does not compress, so its size is predictable, and no two are alike."""
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@dataclass
class Phone:
    """A phone's store with saved reports, and what the server should end up with."""

    store: Store
    photos: dict[str, dict[str, str]] = field(default_factory=dict)  # report id -> photo id -> sha256
    payload_bytes: int = 0  # the reports' JSON and the photos' bytes: what has to cross the link at least


def sync_server(data_dir: Path) -> LiveServer:
    """The real backend, with a short idle timeout on uploads so a stalled PATCH lets its upload go quickly."""
    live = LiveServer(data_dir, env={"HEDGEROW_REGISTER_PER_HOUR": "10000", "HEDGEROW_UPLOAD_IDLE_S": "2"})
    done = live.cli("areas", "import", str(DEMO_AREAS))
    assert done.returncode == 0, done.stderr
    return live.start()


def registered_phone(data_dir: Path, server_url: str) -> Phone:
    store = Store(data_dir)
    details = DeviceCreate(name="Jo Farmer", phone="07700 900123", farm_name="Hill Farm", postcode="ME13 9AB")
    save_profile(store, details, server_url, datetime.now(UTC))
    return Phone(store=store)


def save_reports(
    phone: Phone,
    reports: int,
    photos_each: int,
    seed: int,
    photo_edge: int = 220,
    photo_list: list[bytes] | None = None,
) -> list[str]:
    """Save `reports` reports with `photos_each` generated photos each, as the capture flow would."""
    rng = random.Random(seed)
    ids = []
    for _ in range(reports):
        report_id, draft_id = str(uuid.uuid4()), str(uuid.uuid4())
        declared = []
        shas: dict[str, str] = {}
        for _ in range(photos_each):
            data = photo_list.pop(0) if photo_list else noise_jpeg(rng, photo_edge, photo_edge)
            sha = hashlib.sha256(data).hexdigest()
            photo_id = str(uuid.uuid4())
            processed = ProcessedPhoto(
                original=data,
                original_sha256=sha,
                original_content_type="image/jpeg",
                upload=data,
                upload_sha256=sha,
                width=photo_edge,
                height=photo_edge,
                taken_at=None,
                gps_lat=None,
                gps_lon=None,
            )
            add_draft_photo(phone.store, draft_id, photo_id, processed, datetime.now(UTC))
            declared.append({"photo_id": photo_id, "sha256": sha, "bytes": len(data), "content_type": "image/jpeg"})
            shas[photo_id] = sha
            phone.payload_bytes += len(data)
        report = ReportCreate.model_validate(report_body(photos=declared))
        save_report(phone.store, report_id, draft_id, report, datetime.now(UTC))
        body = {**report.canonical(), "sent_at": datetime.now(UTC).isoformat()}
        phone.payload_bytes += len(json.dumps(body, separators=(",", ":")).encode())
        phone.photos[report_id] = shas
        ids.append(report_id)
    return ids


@dataclass(frozen=True)
class ServerHolds:
    reports: dict[str, int]  # report id -> how many rows (1: exactly once)
    photos: dict[tuple[str, str], str]  # (report id, photo id) -> sha256 of the stored original file
    received: int  # photo rows marked received


def server_holds(server: LiveServer) -> ServerHolds:
    """What the server's database and photo store hold, read from its files."""
    db = sqlite3.connect(f"file:{server.data_dir / 'hedgerow.db'}?mode=ro", uri=True)
    try:
        counts = dict(db.execute("SELECT id, count(*) FROM reports GROUP BY id").fetchall())
        rows = db.execute(
            "SELECT report_id, photo_id, sha256, content_type FROM report_photos WHERE received_at IS NOT NULL"
        ).fetchall()
    finally:
        db.close()
    photos = {}
    for report_id, photo_id, sha, content_type in rows:
        path = blob_path(server.data_dir / "photos", sha, "original", content_type)
        photos[(report_id, photo_id)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    return ServerHolds(reports=counts, photos=photos, received=len(rows))
