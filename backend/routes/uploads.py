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
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from tuspyserver import create_tus_router

from backend.deps import DbDep, Device, DeviceDep, NowDep
from backend.services import photos
from backend.settings import Settings
from wire.reports import MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES

PREFIX = "/api/v1/uploads"
REQUIRED_METADATA = ("report_id", "photo_id", "sha256", "content_type")


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


def build_router(settings: Settings) -> APIRouter:
    uploads_dir = settings.uploads_dir
    uploads_dir.mkdir(parents=True, exist_ok=True)

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
            if request.method == "PATCH":
                _repair(uploads_dir, uid, info)
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
            await asyncio.to_thread(_finish, Path(file_path), metadata, device, db, now)

        return complete

    def _finish(path: Path, metadata: dict, device: Device, db: Any, now: Any) -> None:
        report_id, photo_id = metadata.get("report_id"), metadata.get("photo_id")
        try:
            data = path.read_bytes()
            info = photos.inspect(data, metadata.get("sha256", ""))
            photos.store(settings.photos_dir, data, info)
            photos.link(db, report_id, photo_id, info, device.id, now)
        except photos.PhotoRefused as exc:
            photos.mark_refused(db, report_id, photo_id, str(exc))
            raise HTTPException(422, str(exc)) from exc
        finally:
            # The upload is either stored by its hash or refused: the tus copy is not needed either way.
            for p in (path, path.with_name(path.name + ".info")):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(p)

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
