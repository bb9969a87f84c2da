"""Enrolment: which server a phone registers with, from an invite link, a baked-in address, or the farmer.

An invite (the console's "Invite farmers" page) reaches the app as a route: `hedgerow://enrol?server=...&force=...`
on a phone (Flet passes the deep link's path and query as `page.route`), or `/enrol?server=...` and
`/?server=...` when the app is served to a browser. It fills in the server before registration, never after:
a link must not be able to move a registered phone, and the farmer's reports with it, to another server.

Release builds (the app packaged by `flet build`) talk only to https servers: Android 9+ refuses plain http
anyway, and a farm's location must not cross the internet in clear. Loopback stays allowed for development.
A release build may carry one server address, written to `baked_server.json` beside this module at build time
(see docs/phone.md and .github/workflows/phone.yml).
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flet.utils import is_embedded

from app.i18n import N_, _

BAKED_SERVER_FILE = Path(__file__).with_name("baked_server.json")
INSECURE_MESSAGE = N_(
    "Hedgerow only connects to a server with a secure address (starting https://). "
    "Ask your police force for the right address."
)
_LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class Invite:
    server_url: str
    force: str = ""


def is_release() -> bool:
    """True in a packaged phone build; HEDGEROW_RELEASE=1 makes a browser run behave the same (for tests)."""
    flag = os.environ.get("HEDGEROW_RELEASE")
    if flag is not None:
        return flag == "1"
    return is_embedded()


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure(url: str, release: bool | None = None) -> str:
    """`url` unchanged, or ValueError with a plain message when a release build would send reports in clear."""
    parts = urlsplit(url)
    release = is_release() if release is None else release
    if release and parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        raise ValueError(_(INSECURE_MESSAGE))
    return url


def parse_invite(link: str | None) -> Invite | None:
    """The invite in a link or route, or None when it carries no server address.

    Accepts `hedgerow://enrol?...`, `https://<server>/enrol?...`, and the routes Flet gives (`/enrol?...`,
    `/?...`, `enrol?...`)."""
    if not link or "?" not in link:
        return None
    parts = urlsplit(link)
    path = (parts.netloc if parts.scheme == "hedgerow" else "") + parts.path
    if path.strip("/") not in ("", "enrol"):
        return None
    query = parse_qs(parts.query)
    server = (query.get("server") or [""])[0].strip().rstrip("/")
    server_parts = urlsplit(server)
    if server_parts.scheme not in ("http", "https") or not server_parts.netloc:
        return None
    return Invite(server_url=server, force=(query.get("force") or [""])[0].strip()[:200])


def baked_invite(path: Path | None = None) -> Invite | None:
    """The server a release build was built for, if it was built for one."""
    try:
        data = json.loads((path or BAKED_SERVER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    server = str(data.get("server", "")).strip().rstrip("/")
    return Invite(server_url=server, force=str(data.get("force", ""))) if server else None


def default_server_url(configured: str) -> str:
    """What the registration form starts with: the baked-in server; in a release build with none, nothing (the
    farmer uses an invite, since 127.0.0.1 is the phone itself); else the configured one (development)."""
    baked = baked_invite()
    if baked is not None:
        return baked.server_url
    return "" if is_release() else configured
