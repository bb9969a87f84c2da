"""Photos over tus at /api/v1/uploads: who may upload what, and what becomes of a finished upload.

The protocol itself lives in backend/tus/; this module is Hedgerow's policy: only the device that sent a report
uploads its photos, an upload must match a photo the report declared, and a finished upload is checked, stored
once by its hash and linked to its report.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from backend.db import connect
from backend.deps import DbDep, Device, DeviceDep, NowDep
from backend.services.intake import photos, reports
from backend.settings import Settings
from backend.time_source import Clock, system_clock
from backend.tus.router import Refused, TusServer
from backend.tus.store import Upload, UploadStore
from wire.reports import MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES

PREFIX = "/api/v1/uploads"
# The documented metadata; anything else a client adds (tuspy's and tus-js-client's filename, say) is ignored.
REQUIRED_METADATA = ("report_id", "photo_id", "sha256", "content_type")


@dataclass(frozen=True)
class Context:
    device: Device
    db: Any
    now: datetime


async def upload_context(device: DeviceDep, db: DbDep, now: NowDep) -> Context:
    return Context(device, db, now)


def _store_photo(photos_dir: Path, path: Path, metadata: dict[str, str], device_id: str, db: Any, now: datetime):
    """Check, store and link a finished upload. A refusal is recorded on the report and raised."""
    report_id, photo_id = metadata["report_id"], metadata["photo_id"]
    try:
        data = path.read_bytes()
        info = photos.inspect(data, metadata["sha256"])
        photos.store(photos_dir, data, info)
        photos.link(db, report_id, photo_id, info, device_id, now)
    except photos.PhotoRefused as exc:
        photos.mark_refused(db, report_id, photo_id, str(exc))
        raise


class PhotoPolicy:
    max_size = MAX_PHOTO_BYTES
    context = staticmethod(upload_context)

    def __init__(self, photos_dir: Path) -> None:
        self.photos_dir = photos_dir

    def owner(self, ctx: Context) -> str:
        return ctx.device.id

    def check_creation(self, ctx: Context, length: int, metadata: dict[str, str]) -> None:
        missing = [k for k in REQUIRED_METADATA if not metadata.get(k)]
        if missing:
            raise HTTPException(400, f"Upload-Metadata needs {', '.join(missing)}")
        if metadata["content_type"] not in PHOTO_CONTENT_TYPES:
            raise HTTPException(400, f"content_type must be one of {', '.join(PHOTO_CONTENT_TYPES)}")
        if not reports.sent_by(ctx.db, metadata["report_id"], ctx.device.id):
            raise HTTPException(404, "no such report: send the report before its photos")
        declared = photos.declared_photo(ctx.db, metadata["report_id"], metadata["photo_id"])
        if declared is None:
            raise HTTPException(409, "this photo was not declared in the report or an update")
        if declared["sha256"] != metadata["sha256"] or declared["bytes"] != length:
            raise HTTPException(409, "the photo's sha256 or size differs from what the report declared")

    def finish(self, ctx: Context, upload: Upload, path: Path) -> None:
        try:
            _store_photo(self.photos_dir, path, upload.metadata, ctx.device.id, ctx.db, ctx.now)
        except photos.PhotoRefused as exc:
            raise Refused(422, str(exc)) from exc


def finish_interrupted_uploads(settings: Settings, store: UploadStore, now: datetime) -> list[str]:
    """Finish uploads whose every byte arrived but whose process died (kill -9, power cut) before the photo was
    stored: no client would send them again. Run at start-up, before any request. Returns the ids finished."""
    finished = []
    db = connect(settings.db_path)
    try:
        for upload in store.recover():
            with contextlib.suppress(photos.PhotoRefused):  # recorded on the report for the farmer to see
                _store_photo(settings.photos_dir, store.data_path(upload.id), upload.metadata, upload.owner, db, now)
                store.finished(upload)
                finished.append(upload.id)
            if upload.id not in finished:
                store.delete(upload.id)
    finally:
        db.close()
    return finished


def build_server(settings: Settings, clock: Clock = system_clock) -> TusServer:
    store = UploadStore(settings.uploads_dir, settings.upload_expiry_s)
    finish_interrupted_uploads(settings, store, clock())
    return TusServer(PREFIX, store, PhotoPolicy(settings.photos_dir), sweep_every_s=settings.upload_sweep_s)
