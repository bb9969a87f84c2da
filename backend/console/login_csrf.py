"""Login CSRF: a cross-site form must not log a browser in (as the attacker, whose account then sees what the
victim types or uploads).

Before there is a session there is no session token to check, so the login form carries a pre-session token
that is also set as a cookie (double submit): another site can make a browser post the form, but can neither
read the cookie nor set it (SameSite=Strict, HttpOnly, scoped to the login path). A browser's Origin header,
where it sends one, must also be this server's own.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from backend.i18n import N_, _
from backend.services.errors import Invalid
from backend.services.intake.invites import server_address
from backend.settings import Settings

COOKIE = "hedgerow_login_csrf"
PATH = "/console/login"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
_DEFAULT_PORTS = {"http": 80, "https": 443}
EXPIRED = N_("the login form has expired or did not come from Hedgerow: reload the login page and log in again")


def token_for(request: Request) -> str:
    """The browser's login token if it has a well-formed one (a second tab keeps working), else a new one."""
    held = request.cookies.get(COOKIE, "")
    return held if _TOKEN.match(held) else secrets.token_urlsafe(32)


def set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=settings.behind_proxy, path=PATH)


def _origin(url: str) -> str | None:
    """scheme://host:port, with the default port written out, so that equal origins compare equal."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname}:{port}"


def _own_origins(request: Request, settings: Settings) -> set[str | None]:
    """The origins this console is reached at: as addressed, as configured, and as a trusted proxy says."""
    origins = {_origin(str(request.base_url))}
    if settings.public_url:
        origins.add(_origin(settings.public_url))
    if settings.behind_proxy:
        headers = request.headers
        try:
            address = server_address(
                "", str(request.base_url), headers.get("x-forwarded-proto"), headers.get("x-forwarded-host")
            )
        except Invalid:
            address = ""
        origins.add(_origin(address))
    origins.discard(None)
    return origins


def refusal(request: Request, form_token: str, settings: Settings) -> str | None:
    """Why this login post must be refused, or None when it came from this server's own login form."""
    origin = request.headers.get("origin")
    if origin is not None and _origin(origin) not in _own_origins(request, settings):
        return _(
            "a login from another site (%(origin)s) is refused: open Hedgerow's own login page and log in there"
        ) % {"origin": origin[:100]}
    held = request.cookies.get(COOKIE, "")
    if not form_token or not _TOKEN.match(held) or not hmac.compare_digest(form_token.encode(), held.encode()):
        return _(EXPIRED)
    return None
