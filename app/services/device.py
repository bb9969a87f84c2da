"""The phone's own services through Flet: the photo picker, the GPS and the dialler.

Each must be created inside a running page (Flet registers a service with the page that creates it).
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import flet as ft
import flet_geolocator as fgl

from app.i18n import _
from app.services.location import Fix
from app.services.photos import MAX_INPUT_BYTES, too_large
from app.state.ports import PickedFile

UPLOAD_WAIT_S = 600.0  # a large photo over one bar of signal


class FletPhotoSource:
    """Camera roll or camera, as the phone's picker offers them.

    On a phone the picker gives a path to read. In the browser the file is streamed over HTTP into
    `upload_dir` (Flet's upload endpoint), never sent whole down the app's websocket: a 40 MB photo in one
    message dropped the connection. A file too large to be a photo is refused before any byte moves.
    """

    def __init__(self, upload_dir: Path | None = None) -> None:
        self._picker = ft.FilePicker(on_upload=self._progress)
        self._upload_dir = upload_dir
        self._uploads: dict[str, asyncio.Future[str | None]] = {}

    async def pick(self, limit: int) -> list[PickedFile]:
        files = await self._picker.pick_files(
            dialog_title=_("Choose photos"),
            file_type=ft.FilePickerFileType.IMAGE,
            allow_multiple=limit > 1,
        )
        picked: list[PickedFile] = []
        for f in (files or [])[:limit]:
            if f.size > MAX_INPUT_BYTES:
                picked.append(PickedFile(f.name, b"", too_large(f.size)))
            elif f.path:
                picked.append(PickedFile(f.name, await asyncio.to_thread(Path(f.path).read_bytes)))
            else:
                picked.append(await self._stream(f))
        return picked

    async def _stream(self, f: ft.FilePickerFile) -> PickedFile:
        if self._upload_dir is None:
            return PickedFile(f.name, b"", _("Photos cannot be added here: choose them on the phone"))
        relative = f"{uuid.uuid4().hex}.part"
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._uploads[f.name] = done
        try:
            url = ft.context.page.get_upload_url(relative, 600)
            await self._picker.upload([ft.FilePickerUploadFile(upload_url=url, id=f.id, method="PUT")])
            error = await asyncio.wait_for(done, UPLOAD_WAIT_S)
        except TimeoutError:
            error = _("it took too long")
        finally:
            self._uploads.pop(f.name, None)
        path = self._upload_dir / relative
        try:
            if error:
                return PickedFile(
                    f.name, b"", _("The photo could not be read ({error}): choose it again").format(error=error)
                )
            return PickedFile(f.name, await asyncio.to_thread(path.read_bytes))
        finally:
            path.unlink(missing_ok=True)

    def _progress(self, e: ft.FilePickerUploadEvent) -> None:
        waiting = self._uploads.get(e.file_name)
        if waiting is None or waiting.done():
            return
        if e.error:
            waiting.set_result(e.error)
        elif e.progress is not None and e.progress >= 1.0:
            waiting.set_result(None)


class FletLocator:
    def __init__(self) -> None:
        self._geolocator = fgl.Geolocator(
            configuration=fgl.GeolocatorConfiguration(accuracy=fgl.GeolocatorPositionAccuracy.BEST)
        )

    async def position(self) -> Fix:
        p = await self._geolocator.get_current_position()
        return Fix(lat=p.latitude, lon=p.longitude, accuracy_m=float(p.accuracy or 0.0))


class FletDialer:
    def __init__(self) -> None:
        self._launcher = ft.UrlLauncher()

    async def launch(self, url: str) -> None:
        # On a phone this opens the dialler. In a browser a tel: link opened in the app's own window would
        # navigate away from the app (and reload it); a new window leaves the app where it was.
        await self._launcher.launch_url(url, web_only_window_name="_blank")
