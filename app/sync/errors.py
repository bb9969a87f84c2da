"""How a send can fail, sorted by what the engine does about it, and the farmer's words for each."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from app.i18n import _


def unrecognised() -> str:
    """Said when the server refuses this phone's token (401): what the farmer does about it."""
    return _("The server does not recognise this phone. Check your details to register it again.")


# Answers that time may cure: too many requests, and a gateway or server that is briefly away.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class SyncError(Exception):
    """Base: `message` is shown to the farmer as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Transient(SyncError):
    """No signal, a cut, a timeout, a busy server: try again later with backoff. Nothing is marked failed."""


class CaptivePortal(Transient):
    """Something that is not the Hedgerow server answered (a Wi-Fi sign-in page, a mobile operator's notice)."""


class Unauthorized(SyncError):
    """The server no longer knows this phone's token: the farmer must register again (nothing is lost)."""


class Rejected(SyncError):
    """The server will not take this item as it is (409, 413, 422 ...): retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def server_message(response: httpx.Response) -> str:
    """The server's own explanation, if it gave one in its JSON error body."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("message") or body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):
        parts = [
            f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg', '')}"
            for d in detail
            if isinstance(d, dict)
        ]
        return "; ".join(parts) or f"HTTP {response.status_code}"
    return str(detail) if detail else f"HTTP {response.status_code}"


def is_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def portal(response: httpx.Response) -> CaptivePortal:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return CaptivePortal(
        _(
            "The network answered instead of the Hedgerow server (HTTP {status}, {kind}): "
            "perhaps a Wi-Fi sign-in page. Open a web browser to sign in; your reports wait on this phone."
        ).format(status=response.status_code, kind=kind)
    )


def classify(response: httpx.Response, expected: Iterable[int]) -> None:
    """Raise the right error for an answer that is not one of the `expected` statuses."""
    status = response.status_code
    if status in expected:
        return
    if status in RETRY_STATUSES:
        raise Transient(_("The server is busy (HTTP {status}); trying again shortly.").format(status=status))
    if status == 401:
        raise Unauthorized(unrecognised())
    if 200 <= status < 400:
        raise portal(response)
    if not is_json(response):
        # A proxy's or portal's error page: not the server's verdict on this report.
        raise portal(response)
    raise Rejected(status, server_message(response))


def network_error(exc: httpx.HTTPError) -> Transient:
    if isinstance(exc, httpx.TimeoutException):
        return Transient(_("The signal is too weak: the server did not answer in time."))
    if isinstance(exc, httpx.ConnectError):
        return Transient(_("No connection to the server (no signal, or the server is down)."))
    return Transient(_("The connection dropped while sending ({error}).").format(error=exc.__class__.__name__))
