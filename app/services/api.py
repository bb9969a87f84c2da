"""What the app asks of the server outside the sync engine: the current category list, and the farmer's own
data (the export ZIP, the erasure of their contact details). Sending reports is the sync engine's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from core.files import atomic_file
from wire.farmer_data import ContactErasure

CATEGORIES_PATH = "/api/v1/categories"
# A field with one bar of signal: give up quickly and use the copy on the phone.
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


class ServerUnavailable(RuntimeError):
    pass


async def fetch_categories(server_url: str) -> dict[str, Any]:
    """GET the categories; raises ServerUnavailable on any network failure or unexpected answer."""
    url = server_url.rstrip("/") + CATEGORIES_PATH
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        raise ServerUnavailable(f"{url}: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise ServerUnavailable(f"{url}: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise ServerUnavailable(f"{url}: not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("categories"), list):
        raise ServerUnavailable(f"{url}: no category list in the answer")
    return body


# ----- the farmer's own data (GET /api/v1/me/export, POST /api/v1/me/erasure)

EXPORT_PATH = "/api/v1/me/export"
ERASURE_PATH = "/api/v1/me/erasure"
# A ZIP of every report and photo can take a while on a weak signal: generous between pieces, quick to connect.
EXPORT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
_ZIP_NAME = re.compile(r'filename="([A-Za-z0-9._-]{1,100}\.zip)"')
DEFAULT_EXPORT_NAME = "hedgerow-my-data.zip"


class TokenRefused(ServerUnavailable):
    """The server does not know this phone's token (401): it was never registered there, or no longer is."""


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refusal(url: str, response: httpx.Response) -> ServerUnavailable:
    if response.status_code == 401:
        return TokenRefused(f"{url}: HTTP 401")
    return ServerUnavailable(f"{url}: HTTP {response.status_code}")


async def download_export(server_url: str, token: str, folder: Path) -> Path:
    """Download everything the server holds about this phone into `folder`, under the dated name the server gives,
    streamed to the file (never whole in memory) and there only once complete. Returns the file's path."""
    url = server_url.rstrip("/") + EXPORT_PATH
    try:
        async with (
            httpx.AsyncClient(timeout=EXPORT_TIMEOUT) as client,
            client.stream("GET", url, headers=_auth(token)) as response,
        ):
            if response.status_code != 200:
                raise _refusal(url, response)
            named = _ZIP_NAME.search(response.headers.get("content-disposition", ""))
            path = folder / (named.group(1) if named else DEFAULT_EXPORT_NAME)
            with atomic_file(path) as f:
                async for piece in response.aiter_bytes():
                    f.write(piece)
    except httpx.HTTPError as exc:
        raise ServerUnavailable(f"{url}: {exc.__class__.__name__}") from exc
    return path


async def ask_erasure(server_url: str, token: str) -> ContactErasure:
    """Ask the server to erase the farmer's contact details; its answer, in plain words."""
    url = server_url.rstrip("/") + ERASURE_PATH
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(url, headers=_auth(token))
    except httpx.HTTPError as exc:
        raise ServerUnavailable(f"{url}: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise _refusal(url, response)
    try:
        return ContactErasure.model_validate_json(response.content)
    except ValidationError as exc:
        raise ServerUnavailable(f"{url}: not the answer expected") from exc
