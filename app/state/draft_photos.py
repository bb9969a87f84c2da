"""Step 3 of the draft: photos chosen or taken, processed on the phone, up to six."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from app.i18n import _
from app.services.camera import CameraUnavailable
from app.services.photos import PhotoError, process_photo
from app.store import photos as photo_store
from wire.reports import MAX_PHOTOS_PER_REPORT

if TYPE_CHECKING:
    from app.state.draft import ReportDraft

THUMB_PX = 240


@dataclass(frozen=True)
class PhotoItem:
    id: str
    thumbnail: str  # base64 JPEG, small enough to send to the screen at once
    upload_sha256: str
    upload_bytes: int
    gps_lat: float | None
    gps_lon: float | None
    taken_at: str | None = None  # the camera's own capture time, as EXIF gave it
    original_sha256: str | None = None


def _thumbnail(upload: bytes) -> str:
    with Image.open(io.BytesIO(upload)) as image:
        image.draft("RGB", (THUMB_PX, THUMB_PX))
        image.thumbnail((THUMB_PX, THUMB_PX))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=70)
    return base64.b64encode(out.getvalue()).decode()


def _item(store_photo: photo_store.StoredPhoto, upload: bytes) -> PhotoItem:
    return PhotoItem(
        id=store_photo.id,
        thumbnail=_thumbnail(upload),
        upload_sha256=store_photo.upload_sha256,
        upload_bytes=store_photo.upload_bytes,
        gps_lat=store_photo.gps_lat,
        gps_lon=store_photo.gps_lon,
        taken_at=store_photo.taken_at,
        original_sha256=store_photo.original_sha256,
    )


class PhotoSteps:
    @property
    def photo_room(self: ReportDraft) -> int:
        return MAX_PHOTOS_PER_REPORT - len(self.photos)

    def _load_photos(self: ReportDraft) -> None:
        stored = photo_store.draft_photos(self._store, self.id)
        self.photos = [_item(p, photo_store.read_upload(self._store, p)) for p in stored]

    async def pick_photos(self: ReportDraft) -> None:
        if self.photo_room <= 0:
            self.photo_message = _("A report can have up to {limit} photos").format(limit=MAX_PHOTOS_PER_REPORT)
            return
        self.photo_message = ""  # the last pick's warning is about other files
        picked = await self._ports.photos.pick(self.photo_room)
        refused = [_("{file}: {problem}").format(file=f.name, problem=f.problem) for f in picked if f.problem]
        await self.add_photos([(f.name, f.data) for f in picked if not f.problem], refused)

    async def take_photo(self: ReportDraft) -> None:
        """The camera, or the picker where there is no camera to use (web, no camera, permission refused)."""
        if self.photo_room <= 0 or self._ports.camera is None:
            await self.pick_photos()
            return
        self.photo_message = ""
        try:
            shot = await self._ports.camera.take()
        except CameraUnavailable:
            await self.pick_photos()
            return
        if shot is not None:
            await self.add_photos([(shot.name, shot.data)])

    async def add_photos(self: ReportDraft, files: list[tuple[str, bytes]], refused: list[str] | None = None) -> None:
        """Process each photo off the UI thread, keep it, and show it; say which ones could not be used."""
        problems = list(refused or [])
        for name, data in files:
            if self.photo_room <= 0:
                full = _("a report can have up to {limit} photos").format(limit=MAX_PHOTOS_PER_REPORT)
                problems.append(_("{file}: {problem}").format(file=name, problem=full))
                break
            try:
                processed = await asyncio.to_thread(process_photo, data)
            except PhotoError as exc:
                problems.append(_("{file}: {problem}").format(file=name, problem=exc))
                continue
            photo_id = str(uuid.uuid4())
            stored = await asyncio.to_thread(
                photo_store.add_draft_photo, self._store, self.id, photo_id, processed, self._ports.clock()
            )
            self.photos.append(_item(stored, processed.upload))
        self.photo_message = " ".join(problems)
        self._save()

    def remove_photo(self: ReportDraft, photo_id: str) -> None:
        self.photo_message = ""
        photo_store.remove_draft_photo(self._store, self.id, photo_id)
        self.photos = [p for p in self.photos if p.id != photo_id]
        self._save()
