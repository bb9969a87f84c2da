"""Photos over tus 1.0 (core, creation, termination) at /api/v1/uploads, using tuspyserver.

tuspyserver does the protocol; this module decides who may upload what, repairs an upload a crash left
inconsistent, and hands each finished upload to the photo service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tuspyserver import create_tus_router
from tuspyserver.lock import LockTimeoutError, acquire_upload_lock

from backend.clock import Clock, system_clock
from backend.db import connect
from backend.deps import DbDep, DeviceDep, NowDep
from backend.services import photos
from backend.settings import Settings
from wire.reports import MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES

PREFIX = "/api/v1/uploads"
REQUIRED_METADATA = ("report_id", "photo_id", "sha256", "content_type")
# How long a HEAD or PATCH waits for another request still writing to the same upload.
LOCK_WAIT_S = 10.0


def _info(uploads_dir: Path, uid: str) -> dict[str, Any] | None:
    path = uploads_dir / f"{uid}.info"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _repair(uploads_dir: Path, uid: str, info: dict[str, Any]) -> None:
    """A process killed between appending bytes and recording the new offset leaves the data file longer than
    the offset it advertises; the next PATCH would append after the stray bytes. Cut them off first."""
    data = uploads_dir / uid
    offset = int(info.get("offset") or 0)
    if data.exists() and data.stat().st_size > offset:
        with open(data, "r+b") as f:
            f.truncate(offset)


def _settle(uploads_dir: Path, uid: str, repair: bool) -> None:
    """Wait for a PATCH still writing to this upload (its client may be gone after a cut), so that a HEAD answers
    the offset that PATCH ends at rather than one about to change; and repair a crash's leftovers under the same
    lock, never while another request is appending."""
    try:
        with acquire_upload_lock(str(uploads_dir / uid), locks_dir=str(uploads_dir / ".locks"), timeout=LOCK_WAIT_S):
            info = _info(uploads_dir, uid)
            if repair and info is not None:
                _repair(uploads_dir, uid, info)
    except LockTimeoutError as exc:
        raise HTTPException(
            503, "another request is still writing to this upload; try again shortly", headers={"Retry-After": "5"}
        ) from exc


def _finish(photos_dir: Path, path: Path, metadata: dict, device_id: str, db: Any, now: datetime) -> None:
    """Check, store and link a finished upload. A refusal is recorded on the report and raised."""
    report_id, photo_id = metadata.get("report_id"), metadata.get("photo_id")
    try:
        data = path.read_bytes()
        info = photos.inspect(data, metadata.get("sha256", ""))
        photos.store(photos_dir, data, info)
        photos.link(db, report_id, photo_id, info, device_id, now)
    except photos.PhotoRefused as exc:
        photos.mark_refused(db, report_id, photo_id, str(exc))
        raise
    finally:
        # The upload is either stored by its hash or refused: the tus copy is not needed either way.
        for p in (path, path.with_name(path.name + ".info")):
            with contextlib.suppress(FileNotFoundError):
                os.remove(p)


def finish_interrupted_uploads(settings: Settings, now: datetime) -> list[str]:
    """Finish uploads whose every byte arrived but whose process died (kill -9, power cut) before the photo was
    stored. Their HEAD answers "complete", so no client would send them again: without this they would never
    reach their report. Run at start-up, before any request. Returns the upload ids finished."""
    uploads_dir = settings.uploads_dir
    finished = []
    db = connect(settings.db_path)
    try:
        for info_path in sorted(uploads_dir.glob("*.info")):
            uid = info_path.name.removesuffix(".info")
            info = _info(uploads_dir, uid)
            data = uploads_dir / uid
            if info is None or not data.exists() or not info.get("size") or info.get("offset") != info.get("size"):
                continue
            _repair(uploads_dir, uid, info)
            metadata = info.get("metadata") or {}
            owner = db.execute("SELECT device_id FROM reports WHERE id = ?", [metadata.get("report_id")]).fetchone()
            if owner is None:
                continue
            with contextlib.suppress(photos.PhotoRefused):  # recorded on the report for the farmer to see
                _finish(settings.photos_dir, data, metadata, owner[0], db, now)
            finished.append(uid)
    finally:
        db.close()
    return finished


class IdleUploadTimeout:
    """ASGI middleware: an upload request whose client has sent nothing for `idle_s` is treated as disconnected.

    A phone that loses signal in the middle of a PATCH mostly vanishes without closing its connection, and the
    server has no timeout of its own while reading a body: the PATCH would hold its upload's lock for ever and
    every attempt to resume would be refused. Reported as a disconnect, tuspyserver records the bytes that did
    arrive and lets the upload go.
    """

    def __init__(self, app: ASGIApp, prefix: str, idle_s: float) -> None:
        self.app = app
        self.prefix = prefix
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or self.idle_s <= 0:
            await self.app(scope, receive, send)
            return

        async def patient_receive() -> Message:
            try:
                return await asyncio.wait_for(receive(), self.idle_s)
            except TimeoutError:
                return {"type": "http.disconnect"}

        await self.app(scope, patient_receive, send)


def build_router(settings: Settings, clock: Clock = system_clock) -> APIRouter:
    uploads_dir = settings.uploads_dir
    uploads_dir.mkdir(parents=True, exist_ok=True)
    finish_interrupted_uploads(settings, clock())

    def owned_upload(request: Request, device: DeviceDep, db: DbDep) -> Callable[[dict], dict]:
        """tuspyserver's file dependency: runs before any body is read. Only the report's own device may
        touch an upload."""
        uid = request.path_params.get("uuid")
        if uid is not None:
            if not uid.isalnum() or len(uid) > 64:
                raise HTTPException(404, "no such upload")
            info = _info(uploads_dir, uid)
            if info is None:
                raise HTTPException(404, "no such upload")
            report_id = (info.get("metadata") or {}).get("report_id")
            owner = db.execute("SELECT device_id FROM reports WHERE id = ?", [report_id]).fetchone()
            if owner is None or owner[0] != device.id:
                raise HTTPException(404, "no such upload")
            if request.method in ("HEAD", "PATCH"):
                _settle(uploads_dir, uid, repair=request.method == "PATCH")
        return lambda metadata: {"files_dir": str(uploads_dir)}

    def check_creation(device: DeviceDep, db: DbDep) -> Callable[[dict, dict], None]:
        def check(metadata: dict, upload: dict) -> None:
            missing = [k for k in REQUIRED_METADATA if not metadata.get(k)]
            if missing:
                raise HTTPException(400, f"Upload-Metadata needs {', '.join(missing)}")
            if upload.get("defer_length") or upload.get("size") is None:
                raise HTTPException(400, "Upload-Length is required: a photo's size is known before sending")
            if metadata["content_type"] not in PHOTO_CONTENT_TYPES:
                raise HTTPException(400, f"content_type must be one of {', '.join(PHOTO_CONTENT_TYPES)}")
            if int(upload["size"]) > MAX_PHOTO_BYTES:
                raise HTTPException(413, f"a photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
            owner = db.execute("SELECT device_id FROM reports WHERE id = ?", [metadata["report_id"]]).fetchone()
            if owner is None or owner[0] != device.id:
                raise HTTPException(404, "no such report: send the report before its photos")
            declared = photos.declared_photo(db, metadata["report_id"], metadata["photo_id"])
            if declared is None:
                raise HTTPException(409, "this photo was not declared in the report or an update")
            if declared["sha256"] != metadata["sha256"] or declared["bytes"] != int(upload["size"]):
                raise HTTPException(409, "the photo's sha256 or size differs from what the report declared")

        return check

    def on_complete(device: DeviceDep, db: DbDep, now: NowDep) -> Callable[[str, dict], Any]:
        async def complete(file_path: str, metadata: dict) -> None:
            try:
                await asyncio.to_thread(_finish, settings.photos_dir, Path(file_path), metadata, device.id, db, now)
            except photos.PhotoRefused as exc:
                raise HTTPException(422, str(exc)) from exc

        return complete

    return create_tus_router(
        prefix=PREFIX,
        files_dir=str(uploads_dir),
        max_size=MAX_PHOTO_BYTES,
        auth=_noop,
        days_to_keep=7,
        upload_complete_dep=on_complete,
        pre_create_dep=check_creation,
        file_dep=owned_upload,
        tags=["uploads"],
        strict_offset_validation=True,
    )


async def _noop() -> None:
    return None
