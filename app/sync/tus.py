"""A small tus 1.0 client on httpx: create an upload, ask its offset (HEAD), send the rest in PATCH chunks.

The upload URL and offset are reported through `on_progress` after every step, so the caller can keep them
in SQLite and resume after the app is killed. The chunk size adapts: it halves after a failure (a weak
link loses less per cut) and doubles after a chunk that went quickly (a good link spends less on headers).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from app.sync.errors import Rejected, classify, network_error, portal

TUS_VERSION = "1.0.0"
MIN_CHUNK = 16 * 1024
MAX_CHUNK = 4 * 1024 * 1024
FIRST_CHUNK = 256 * 1024
# A chunk that takes less than this is a sign the link can carry bigger ones.
FAST_CHUNK_S = 2.0


@dataclass
class ChunkSizer:
    size: int = FIRST_CHUNK
    low: int = MIN_CHUNK
    high: int = MAX_CHUNK

    def succeeded(self, seconds: float) -> None:
        if seconds < FAST_CHUNK_S:
            self.size = min(self.high, self.size * 2)

    def failed(self) -> None:
        self.size = max(self.low, self.size // 2)


@dataclass(frozen=True)
class Upload:
    """One photo to send: its bytes and the metadata the server checks against the report's declaration."""

    data: bytes
    metadata: dict[str, str]


def _encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())


class TusClient:
    def __init__(self, client: httpx.AsyncClient, endpoint: str, headers: dict[str, str], sizer: ChunkSizer) -> None:
        self.client = client
        self.endpoint = endpoint
        self.headers = {**headers, "Tus-Resumable": TUS_VERSION}
        self.sizer = sizer

    async def create(self, upload: Upload) -> str:
        """POST a new upload; returns its absolute URL."""
        try:
            response = await self.client.post(
                self.endpoint,
                headers={
                    **self.headers,
                    "Upload-Length": str(len(upload.data)),
                    "Upload-Metadata": _encode_metadata(upload.metadata),
                },
            )
        except httpx.HTTPError as exc:
            raise network_error(exc) from exc
        classify(response, {201})
        location = response.headers.get("location")
        if not location or "tus-resumable" not in response.headers:
            raise portal(response)
        return str(response.url.join(location))

    async def offset(self, url: str) -> int | None:
        """The server's offset for an upload, or None if the server no longer has it (finished or expired)."""
        try:
            response = await self.client.head(url, headers=self.headers)
        except httpx.HTTPError as exc:
            raise network_error(exc) from exc
        if response.status_code in (404, 410):
            return None
        classify(response, {200, 204})
        value = response.headers.get("upload-offset")
        if value is None or not value.isdigit():
            raise portal(response)
        return int(value)

    async def send_from(
        self, url: str, upload: Upload, offset: int, on_progress: Callable[[int], Awaitable[None]]
    ) -> None:
        """PATCH the bytes from `offset` to the end, one adaptive chunk at a time."""
        total = len(upload.data)
        while offset < total:
            chunk = upload.data[offset : offset + self.sizer.size]
            started = time.monotonic()
            try:
                response = await self.client.patch(
                    url,
                    content=chunk,
                    headers={
                        **self.headers,
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                    },
                )
            except httpx.HTTPError as exc:
                self.sizer.failed()
                raise network_error(exc) from exc
            if response.status_code == 409:
                # Our idea of the offset is stale (a PATCH whose answer was lost did arrive): ask again.
                fresh = await self.offset(url)
                if fresh is None:
                    raise Rejected(409, "the server dropped this upload")
                offset = fresh
                await on_progress(offset)
                continue
            classify(response, {204})
            new_offset = response.headers.get("upload-offset")
            if new_offset is None or not new_offset.isdigit():
                raise portal(response)
            self.sizer.succeeded(time.monotonic() - started)
            offset = int(new_offset)
            await on_progress(offset)
