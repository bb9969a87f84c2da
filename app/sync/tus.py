"""A small tus 1.0 client on httpx: create an upload with its first chunk (creation-with-upload: a photo of the
usual size goes in one request), ask its offset (HEAD), send the rest in PATCH chunks.

The first chunk carries its sha1 (tus checksum extension): one damaged on the way is refused and sent again by
itself (the server answers 201 with offset 0), rather than the photo failing its sha256 at the end. Only the
first: a server keeps nothing of a checksummed chunk cut part way (it cannot vouch for it), and a cut POST loses
its chunk anyway (no upload URL came back), so there a checksum costs nothing. The pipeline makes photos of about
230 KB, so the first chunk is usually the whole photo. Later chunks of a larger one go without, so that a cut
keeps what arrived; damage to them is still caught by the photo's sha256 when the upload completes.

The upload URL and offset are reported through `on_progress` after every step, so the caller can keep them
in SQLite and resume after the app is killed. The chunk size adapts: it halves after a failure (a weak
link loses less per cut) and doubles after a chunk that went quickly (a good link spends less on headers).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from app.i18n import _
from app.sync.errors import Rejected, Transient, classify, network_error, portal

TUS_VERSION = "1.0.0"
MIN_CHUNK = 16 * 1024
MAX_CHUNK = 4 * 1024 * 1024
FIRST_CHUNK = 256 * 1024
# A chunk that takes less than this is a sign the link can carry bigger ones.
FAST_CHUNK_S = 2.0
OFFSET_OCTETS = "application/offset+octet-stream"


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


def _checksum(chunk: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(chunk).digest()).decode()


def _offset_of(response: httpx.Response) -> int:
    value = response.headers.get("upload-offset")
    if value is None or not value.isdigit():
        raise portal(response)
    return int(value)


def _locked(response: httpx.Response) -> None:
    if response.status_code == 423:
        # An earlier attempt (cut, or gone silent) still holds the upload; the server lets go of it shortly.
        raise Transient(_("The server is still finishing an earlier attempt at this photo; trying again shortly."))


class TusClient:
    def __init__(self, client: httpx.AsyncClient, endpoint: str, headers: dict[str, str], sizer: ChunkSizer) -> None:
        self.client = client
        self.endpoint = endpoint
        self.headers = {**headers, "Tus-Resumable": TUS_VERSION}
        self.sizer = sizer

    async def create(self, upload: Upload) -> tuple[str, int]:
        """POST a new upload with its first chunk; returns its absolute URL and the offset the server holds."""
        chunk = upload.data[: self.sizer.size]
        started = time.monotonic()
        try:
            response = await self.client.post(
                self.endpoint,
                content=chunk,
                headers={
                    **self.headers,
                    "Upload-Length": str(len(upload.data)),
                    "Upload-Metadata": _encode_metadata(upload.metadata),
                    "Content-Type": OFFSET_OCTETS,
                    "Upload-Checksum": _checksum(chunk),
                },
            )
        except httpx.HTTPError as exc:
            self.sizer.failed()
            raise network_error(exc) from exc
        classify(response, {201})
        location = response.headers.get("location")
        if not location or "tus-resumable" not in response.headers:
            raise portal(response)
        offset = _offset_of(response)
        if offset:
            self.sizer.succeeded(time.monotonic() - started)
        return str(response.url.join(location)), offset

    async def offset(self, url: str) -> int | None:
        """The server's offset for an upload, or None if the server no longer has it (finished or expired)."""
        try:
            response = await self.client.head(url, headers=self.headers)
        except httpx.HTTPError as exc:
            raise network_error(exc) from exc
        if response.status_code in (404, 410):
            return None
        classify(response, {200, 204})
        return _offset_of(response)

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
                        "Content-Type": OFFSET_OCTETS,
                    },
                )
            except httpx.HTTPError as exc:
                self.sizer.failed()
                raise network_error(exc) from exc
            _locked(response)
            if response.status_code == 409:
                # Our idea of the offset is stale (a PATCH whose answer was lost did arrive): ask again.
                fresh = await self.offset(url)
                if fresh is None:
                    raise Rejected(409, _("the server dropped this upload"))
                offset = fresh
                await on_progress(offset)
                continue
            classify(response, {204})
            self.sizer.succeeded(time.monotonic() - started)
            offset = _offset_of(response)
            await on_progress(offset)
