"""Take a photo: the phone's camera through the flet-camera extension, with the photo picker as the fallback.

Flet's FilePicker never offers the camera on Android (file_picker dropped it), so a photo taken at the scene
needs the camera extension. It is part of a phone build only: the web client `flet run --web` serves has no
camera control, and a phone may have no camera or the farmer may refuse the permission. In every such case
`take()` raises CameraUnavailable and the draft opens the picker instead (app/state/draft_photos.py).

Whatever the camera writes into the JPEG, the report's location is the one from the location step: the photo's
EXIF position is kept only to warn when a photo was taken far from the report's place.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

import flet as ft
import flet_camera as fc
from flet.utils import is_embedded

from app.i18n import _
from app.state.ports import PickedFile


class CameraUnavailable(RuntimeError):
    """No camera here (web client, no camera, permission refused): use the picker."""


class CameraSource(Protocol):
    async def take(self) -> PickedFile | None:
        """The photo taken, None if the farmer cancelled; CameraUnavailable if there is no camera to use."""
        ...


class FletCamera:
    """The back camera's preview in a dialog, with "Take photo" and "Cancel"."""

    def __init__(self, page: ft.Page) -> None:
        self._page = page

    async def take(self) -> PickedFile | None:
        if not is_embedded():
            raise CameraUnavailable("the web client has no camera control")
        camera = fc.Camera(expand=True, preview_enabled=True)
        chosen: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()

        async def shoot(e: ft.Event[ft.Button]) -> None:
            if not chosen.done():
                try:
                    chosen.set_result(await camera.take_picture())
                except Exception as exc:  # the plugin's errors are untyped
                    chosen.set_exception(CameraUnavailable(str(exc)))

        def cancel(e: ft.Event[ft.TextButton]) -> None:
            if not chosen.done():
                chosen.set_result(None)

        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(_("Take a photo")),
            content=ft.Container(camera, width=360, height=480),
            actions=[ft.TextButton(_("Cancel"), on_click=cancel), ft.Button(_("Take photo"), on_click=shoot)],
        )
        self._page.show_dialog(dialog)
        try:
            cameras = await camera.get_available_cameras()
            if not cameras:
                raise CameraUnavailable("this phone has no camera")
            back = next((c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK), cameras[0])
            await camera.initialize(back, fc.ResolutionPreset.HIGH, enable_audio=False)
            data = await chosen
        except CameraUnavailable:
            raise
        except Exception as exc:  # permission refused, camera in use: the plugin raises plain errors
            raise CameraUnavailable(str(exc)) from exc
        finally:
            self._page.pop_dialog()
        if not data:
            return None
        return PickedFile(name=f"camera-{datetime.now(UTC):%Y%m%d-%H%M%S}.jpg", data=data)
