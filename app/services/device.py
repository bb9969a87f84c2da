"""The phone's own services through Flet: the photo picker, the GPS and the dialler.

Each must be created inside a running page (Flet registers a service with the page that creates it).
"""

from __future__ import annotations

from pathlib import Path

import flet as ft
import flet_geolocator as fgl

from app.services.location import Fix
from app.state.ports import PickedFile


class FletPhotoSource:
    """Camera roll or camera, as the phone's picker offers them. On the web the bytes come with the pick;
    on a phone the picker gives a path to read."""

    def __init__(self) -> None:
        self._picker = ft.FilePicker()

    async def pick(self, limit: int) -> list[PickedFile]:
        files = await self._picker.pick_files(
            dialog_title="Choose photos",
            file_type=ft.FilePickerFileType.IMAGE,
            allow_multiple=limit > 1,
            with_data=True,
        )
        picked: list[PickedFile] = []
        for f in (files or [])[:limit]:
            data = f.bytes if f.bytes is not None else Path(f.path).read_bytes() if f.path else b""
            picked.append(PickedFile(name=f.name, data=data))
        return picked


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
