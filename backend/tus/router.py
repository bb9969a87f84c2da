"""The tus 1.0 endpoints: OPTIONS, POST (creation, creation-with-upload), HEAD, PATCH (checksum), DELETE
(termination), with expiration.

No request ever waits for another: one request at a time may write to an upload, and a second one is answered
`423 Locked` at once, as tusd does (the client asks the offset again and resumes). The lock is a set on the
event loop, so taking it cannot block; the bytes go to disk in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fastapi import APIRouter, Depends, Request, Response
from starlette.requests import ClientDisconnect

from backend.tus import protocol as tus
from backend.tus.store import PieceWriter, Upload, UploadStore

log = logging.getLogger("hedgerow.tus")
# Bytes gathered from the connection before one write in a worker thread: big enough that the thread hop is
# cheap beside the write, small enough that a cut connection loses little.
FLUSH_BYTES = 256 * 1024


class Refused(Exception):
    """The policy's verdict on a finished upload that is not kept; `status` and the message go to the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class UploadPolicy(Protocol):
    """What the protocol leaves to the application. `context` is a FastAPI dependency (it authenticates)."""

    max_size: int
    context: Callable[..., Any]

    def owner(self, ctx: Any) -> str: ...

    def check_creation(self, ctx: Any, length: int, metadata: dict[str, str]) -> None: ...

    def finish(self, ctx: Any, upload: Upload, path: Path) -> None:
        """Called in a worker thread once every byte arrived; raises Refused to turn the upload down."""


@dataclass
class TusServer:
    prefix: str
    store: UploadStore
    policy: UploadPolicy
    sweep_every_s: float = 60.0

    # Finished uploads handed to the policy at once (decoding and resizing a photo): more threads busy with
    # Python-level work would take turns at the GIL with the event loop and slow every other request.
    finishing_at_once: int = 1

    def __post_init__(self) -> None:
        self.busy: set[str] = set()  # uploads a request is writing to (or finishing) right now
        self._finishing = asyncio.Semaphore(self.finishing_at_once)

    # -- expiration ----------------------------------------------------------------------------------------------

    async def sweeper(self) -> None:
        """Delete expired uploads now and then, for as long as the server runs."""
        while True:
            try:
                gone = await asyncio.to_thread(self.store.sweep, set(self.busy))
                if gone:
                    log.info("deleted %d expired uploads", len(gone))
            except OSError:
                log.exception("the upload sweep failed; trying again later")
            await asyncio.sleep(self.sweep_every_s)

    # -- helpers -------------------------------------------------------------------------------------------------

    def _headers(self, upload: Upload) -> dict[str, str]:
        return {
            **tus.base_headers(),
            "Upload-Offset": str(upload.offset),
            "Upload-Expires": tus.expires_header(upload.expires_at),
        }

    async def _owned(self, uid: str, ctx: Any) -> Upload:
        upload = await asyncio.to_thread(self.store.get, uid)
        if upload is None or upload.owner != self.policy.owner(ctx):
            raise tus.refuse(404, "no such upload")
        if self.store.expired(upload):
            raise tus.refuse(410, "this upload has expired; start a new one")
        return upload

    def _lock(self, uid: str) -> None:
        if uid in self.busy:
            raise tus.refuse(423, "another request is writing to this upload; ask its offset and resume")
        self.busy.add(uid)

    async def _receive(self, request: Request, upload: Upload, checksum: tuple[str, bytes] | None) -> bool:
        """Append the request body at the upload's offset. Returns False if the client went away mid-piece."""
        remaining = upload.length - upload.offset
        declared = tus.parse_int("Content-Length", request.headers.get("content-length"), required=False)
        if declared is not None and declared > remaining:
            raise tus.refuse(413, f"the piece is longer than the {remaining} bytes the upload still lacks")
        writer = PieceWriter(self.store, upload, tus.CHECKSUMS[checksum[0]]() if checksum else None)
        buffer, connected = bytearray(), True
        try:
            try:
                async for chunk in request.stream():
                    buffer += chunk
                    if writer.written + len(buffer) > remaining:
                        raise tus.refuse(413, f"the piece is longer than the {remaining} bytes the upload lacks")
                    if len(buffer) >= FLUSH_BYTES:
                        await asyncio.to_thread(writer.write, bytes(buffer))
                        buffer.clear()
            except ClientDisconnect:
                connected = False
            if buffer:
                await asyncio.to_thread(writer.write, bytes(buffer))
            if checksum is not None and (not connected or writer.hasher.digest() != checksum[1]):
                # A piece that cannot be vouched for is not kept, not even its first bytes.
                await asyncio.to_thread(writer.discard)
                if connected:
                    raise tus.refuse(tus.CHECKSUM_MISMATCH, f"the piece's {checksum[0]} does not match; send it again")
                return False
            await asyncio.to_thread(writer.commit)
            return connected
        finally:
            if writer.file is not None:  # an error half way: the piece is not promised
                await asyncio.to_thread(writer.discard)

    async def _finish(self, ctx: Any, upload: Upload) -> None:
        try:
            async with self._finishing:
                await asyncio.to_thread(self.policy.finish, ctx, upload, self.store.data_path(upload.id))
        except Refused as exc:
            await asyncio.to_thread(self.store.delete, upload.id)
            raise tus.refuse(exc.status, str(exc)) from exc
        await asyncio.to_thread(self.store.finished, upload)

    # -- endpoints -----------------------------------------------------------------------------------------------

    async def options(self) -> Response:
        return Response(status_code=204, headers=tus.options_headers(self.policy.max_size))

    async def create(self, request: Request, ctx: Any) -> Response:
        h = request.headers
        tus.check_version(h.get("tus-resumable"))
        if "upload-defer-length" in h:
            raise tus.refuse(400, "Upload-Length is required: a photo's size is known before sending")
        length = tus.parse_int("Upload-Length", h.get("upload-length"))
        assert length is not None
        if length > self.policy.max_size:
            raise tus.refuse(413, f"an upload may be at most {self.policy.max_size // (1024 * 1024)} MB")
        metadata = tus.parse_metadata(h.get("upload-metadata"))
        with_body = h.get("content-type") == tus.OFFSET_CONTENT_TYPE
        checksum = tus.parse_checksum(h.get("upload-checksum")) if with_body else None
        self.policy.check_creation(ctx, length, metadata)
        upload = await asyncio.to_thread(self.store.create, length, self.policy.owner(ctx), metadata)
        headers = {**self._headers(upload), "Location": f"{self.prefix}/{upload.id}"}
        if with_body:  # creation-with-upload: the first piece rides on the POST
            self._lock(upload.id)
            try:
                try:
                    await self._receive(request, upload, checksum)
                except Exception as exc:
                    if getattr(exc, "status_code", None) != tus.CHECKSUM_MISMATCH:
                        raise
                    # Created, but the piece is not kept: the client sees offset 0 and sends it again by PATCH.
                if upload.offset == upload.length:
                    await self._finish(ctx, upload)
            finally:
                self.busy.discard(upload.id)
            headers.update(self._headers(upload))
        return Response(status_code=201, headers=headers)

    async def head(self, uid: str, request: Request, ctx: Any) -> Response:
        tus.check_version(request.headers.get("tus-resumable"))
        upload = await self._owned(uid, ctx)
        headers = {**self._headers(upload), "Upload-Length": str(upload.length), "Cache-Control": "no-store"}
        return Response(status_code=200, headers=headers)

    async def patch(self, uid: str, request: Request, ctx: Any) -> Response:
        h = request.headers
        tus.check_version(h.get("tus-resumable"))
        if h.get("content-type") != tus.OFFSET_CONTENT_TYPE:
            raise tus.refuse(415, f"a PATCH carries Content-Type: {tus.OFFSET_CONTENT_TYPE}")
        offset = tus.parse_int("Upload-Offset", h.get("upload-offset"))
        checksum = tus.parse_checksum(h.get("upload-checksum"))
        await self._owned(uid, ctx)
        self._lock(uid)
        try:
            upload = await self._owned(uid, ctx)  # read again under the lock: the offset may have moved
            if offset != upload.offset:
                raise tus.refuse(409, f"Upload-Offset is {upload.offset}, not {offset}", **self._headers(upload))
            if upload.done:
                # The last piece's answer was lost and the client sends "nothing more" at the final offset.
                return Response(status_code=204, headers=self._headers(upload))
            connected = await self._receive(request, upload, checksum)
            if upload.offset == upload.length:  # every byte is here, even if the client has just gone
                await self._finish(ctx, upload)
            if not connected:
                return Response(status_code=400)  # nobody is listening; the bytes that arrived are kept
            return Response(status_code=204, headers=self._headers(upload))
        finally:
            self.busy.discard(uid)

    async def delete(self, uid: str, request: Request, ctx: Any) -> Response:
        tus.check_version(request.headers.get("tus-resumable"))
        await self._owned(uid, ctx)
        self._lock(uid)
        try:
            await asyncio.to_thread(self.store.delete, uid)
        finally:
            self.busy.discard(uid)
        return Response(status_code=204, headers=tus.base_headers())

    def router(self, tags: list[str] | None = None) -> APIRouter:
        router = APIRouter(prefix=self.prefix, tags=list(tags or []))
        ctx = Depends(self.policy.context)

        async def create(request: Request, context: Any = ctx) -> Response:
            return await self.create(request, context)

        async def head(uid: str, request: Request, context: Any = ctx) -> Response:
            return await self.head(uid, request, context)

        async def patch(uid: str, request: Request, context: Any = ctx) -> Response:
            return await self.patch(uid, request, context)

        async def delete(uid: str, request: Request, context: Any = ctx) -> Response:
            return await self.delete(uid, request, context)

        # Clients are given the endpoint with or without a trailing slash: both answer.
        for path in ("", "/"):
            router.add_api_route(path, self.options, methods=["OPTIONS"], include_in_schema=path == "")
            router.add_api_route(path, create, methods=["POST"], status_code=201, include_in_schema=path == "")
        router.add_api_route("/{uid}", head, methods=["HEAD"])
        router.add_api_route("/{uid}", patch, methods=["PATCH"], status_code=204)
        router.add_api_route("/{uid}", delete, methods=["DELETE"], status_code=204)
        return router
