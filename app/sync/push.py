"""Sending one outbox item: a registration, a report's JSON, an update or chase, or a photo over tus.

Each function returns only when the server has the item (a 2xx of the expected kind, from the server and
not from a captive portal), and raises an `app.sync.errors` exception otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from app.i18n import _
from app.store import photos as photo_store
from app.store import reports as report_store
from app.store.db import Store
from app.store.outbox import OutboxItem, record_upload_progress
from app.store.profile import set_registered
from app.sync.errors import CaptivePortal, Rejected, classify, is_json, network_error, portal
from app.sync.tus import ChunkSizer, TusClient, Upload

API = "/api/v1"


@dataclass
class PushContext:
    store: Store
    client: httpx.AsyncClient
    server_url: str
    clock: Callable[[], datetime]
    sizer: ChunkSizer
    # Called with (photo_id, bytes the server has, total bytes) as a photo goes.
    on_photo_progress: Callable[[str, int, int], None]

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


async def _json_call(
    ctx: PushContext, method: str, path: str, body: dict[str, Any], headers: dict[str, str], expected: set[int]
) -> dict[str, Any]:
    try:
        response = await ctx.client.request(method, ctx.server_url + path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise network_error(exc) from exc
    classify(response, expected)
    if not is_json(response):
        raise portal(response)
    try:
        answer = response.json()
    except ValueError as exc:
        raise portal(response) from exc
    if not isinstance(answer, dict):
        raise portal(response)
    return answer


async def register(ctx: PushContext, item: OutboxItem) -> None:
    details = json.loads(item.payload or "{}")
    answer = await _json_call(ctx, "POST", f"{API}/devices", details, {}, {201})
    if not isinstance(answer.get("token"), str) or not answer.get("device_id"):
        raise Rejected(201, _("the server's answer to the registration had no token"))
    set_registered(ctx.store, str(answer["device_id"]), answer["token"], ctx.clock())


async def send_report(ctx: PushContext, item: OutboxItem, token: str) -> dict[str, Any]:
    """PUT the report as saved, with `sent_at` so the server can correct the phone's clock. Idempotent: a
    resend of the same report answers 200. Returns the server's public view of it."""
    assert item.report_id is not None
    body = report_store.report_body(ctx.store, item.report_id)
    body["sent_at"] = ctx.clock().isoformat()
    answer = await _json_call(ctx, "PUT", f"{API}/reports/{item.report_id}", body, ctx.auth(token), {200, 201})
    if answer.get("id") != item.report_id:
        raise CaptivePortal(_("An answer that is not the Hedgerow server's: it named another report."))
    return answer


async def send_follow_up(ctx: PushContext, item: OutboxItem, token: str) -> None:
    """An update or a chase: POST with its phone-made id, so a resend is not counted twice."""
    assert item.report_id is not None
    body = {**json.loads(item.payload or "{}"), "sent_at": ctx.clock().isoformat()}
    path = "updates" if item.kind == "update" else "chase"
    await _json_call(ctx, "POST", f"{API}/reports/{item.report_id}/{path}", body, ctx.auth(token), {200, 201})


async def send_language(ctx: PushContext, language: str, token: str) -> None:
    """The language the farmer reads, for every text the server writes to this phone from now on."""
    answer = await _json_call(ctx, "PATCH", f"{API}/me", {"language": language}, ctx.auth(token), {200})
    if answer.get("language") != language:
        raise CaptivePortal(_("An answer that is not the Hedgerow server's: it named another language."))


async def _photo_arrived(ctx: PushContext, report_id: str, photo_id: str, token: str) -> bool:
    try:
        response = await ctx.client.get(f"{ctx.server_url}{API}/reports/{report_id}", headers=ctx.auth(token))
    except httpx.HTTPError as exc:
        raise network_error(exc) from exc
    classify(response, {200})
    if not is_json(response):
        raise portal(response)
    photos = response.json().get("photos") or []
    return any(p.get("photo_id") == photo_id and p.get("arrived") for p in photos)


async def send_photo(ctx: PushContext, item: OutboxItem, token: str) -> None:
    """Send a photo over tus, resuming from the server's offset if an upload was started before (the URL and
    offset are kept in the outbox row after every chunk, so this survives the app being killed)."""
    assert item.report_id is not None and item.photo_id is not None
    photo = photo_store.photo_by_id(ctx.store, item.photo_id)
    data = photo_store.read_upload(ctx.store, photo)
    if hashlib.sha256(data).hexdigest() != photo.upload_sha256:
        raise Rejected(0, _("this photo's file on the phone is damaged; remove it and add it again"))
    upload = Upload(
        data=data,
        metadata={
            "report_id": item.report_id,
            "photo_id": item.photo_id,
            "sha256": photo.upload_sha256,
            "content_type": photo.content_type,
        },
    )
    tus = TusClient(ctx.client, f"{ctx.server_url}{API}/uploads", ctx.auth(token), ctx.sizer)
    url, offset = item.upload_url, 0
    if url:
        known = await tus.offset(url)
        if known is None or known >= len(data):
            # The server finished this upload (the answer to its last chunk was lost), let it expire, or holds
            # every byte without having heard the end (its handling was cut short): only the report says
            # whether the photo arrived. If it did not, the photo goes again as a new upload.
            if await _photo_arrived(ctx, item.report_id, item.photo_id, token):
                ctx.on_photo_progress(item.photo_id, len(data), len(data))
                return
            url = None
        else:
            offset = known
    if url is None:
        url, offset = await tus.create(upload)  # with the first chunk: a small photo is done in one request
    record_upload_progress(ctx.store, item.id, url, offset)
    ctx.on_photo_progress(item.photo_id, offset, len(data))
    current_url = url

    async def progress(at: int) -> None:
        record_upload_progress(ctx.store, item.id, current_url, at)
        ctx.on_photo_progress(item.photo_id, at, len(data))

    await tus.send_from(url, upload, offset, progress)
