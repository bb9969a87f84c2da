"""What the state layer needs from the phone, as small interfaces, so that tests can pass their own.

The real ones (Flet's file picker, geolocator and URL launcher) are in app/services/device.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from app.services import api
from app.services.location import Fix


@dataclass(frozen=True)
class PickedFile:
    name: str
    data: bytes
    # Why the file could not be read (too large to bring in, the transfer failed), in words for the farmer.
    problem: str | None = None


class PhotoSource(Protocol):
    async def pick(self, limit: int) -> list[PickedFile]: ...


class Camera(Protocol):
    async def take(self) -> PickedFile | None: ...


class Locator(Protocol):
    async def position(self) -> Fix: ...


class Dialer(Protocol):
    async def launch(self, url: str) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ports:
    photos: PhotoSource
    locator: Locator
    dialer: Dialer
    # "Take a photo" (app/services/camera.py); None: the picker alone.
    camera: Camera | None = None
    clock: Callable[[], datetime] = utc_now
    fetch_categories: Callable[[str], Awaitable[dict[str, Any]]] = api.fetch_categories
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    monotonic: Callable[[], float] = time.monotonic
