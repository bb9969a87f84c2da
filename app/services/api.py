"""The little the capture flow asks of the server: the current category list. (Sending is the sync engine's.)"""

from __future__ import annotations

from typing import Any

import httpx

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
