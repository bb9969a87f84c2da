"""Invite links and QR codes that enrol a farmer's phone with this server and force.

Two links carry the same two facts, the server's address and the force:
- `https://<server>/enrol?server=...&force=...`: what the QR code holds. Any phone camera opens it; the page
  offers the app (and, on a phone with the app, Android App Links / iOS universal links can hand it straight
  to the app);
- `hedgerow://enrol?server=...&force=...`: the app's own scheme (`[tool.flet.*.deep_linking]`), for a phone
  that already has the app.
Nothing secret is in them: the server's address is public, and registering a phone still needs the farmer's
details and the server's per-address rate limit.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import segno

from backend.services.errors import Invalid

APP_SCHEME = "hedgerow"
# Host[:port] as a proxy may forward it: letters, digits, dots, dashes, an IPv6 literal, a port.
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class Invite:
    server: str
    force: str

    @property
    def query(self) -> str:
        return urlencode({"server": self.server, "force": self.force})

    @property
    def web_link(self) -> str:
        return f"{self.server}/enrol?{self.query}"

    @property
    def app_link(self) -> str:
        return f"{APP_SCHEME}://enrol?{self.query}"

    @property
    def secure(self) -> bool:
        return self.server.startswith("https://")

    def farmer_app_link(self, app_url: str) -> str:
        """The farmer app served to a browser (Flet web), opened on its enrolment route."""
        return f"{app_url}/enrol?{self.query}"

    def qr_png_data_uri(self) -> str:
        """The web link as a QR code: a PNG in a data: URI (the console's CSP allows data: images)."""
        out = io.BytesIO()
        # Error correction M survives a smudged print-out; scale 8 and the standard 4-module quiet zone scan
        # from a phone held at arm's length.
        segno.make_qr(self.web_link, error="m").save(out, kind="png", scale=8, border=4)
        return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def server_address(public_url: str, base_url: str, forwarded_proto: str | None, forwarded_host: str | None) -> str:
    """The address to put in invites: the configured public one; else, behind a proxy, what the proxy says the
    browser used (the caller passes the forwarded headers only when HEDGEROW_BEHIND_PROXY=1); else the address
    the console was reached at."""
    if public_url:
        return public_url.rstrip("/")
    if forwarded_host or forwarded_proto:
        proto = (forwarded_proto or "https").split(",")[0].strip().lower()
        host = (forwarded_host or urlsplit(base_url).netloc).split(",")[0].strip()
        if proto not in ("http", "https") or not _HOST.match(host):
            raise Invalid(
                "the proxy's X-Forwarded-Proto / X-Forwarded-Host are not an address: set HEDGEROW_PUBLIC_URL"
            )
        return f"{proto}://{host}"
    return base_url.rstrip("/")


def parse_enrol_query(server: str, force: str) -> Invite:
    """An invite as the /enrol page receives it; refuses what is not an http(s) address."""
    parts = urlsplit(server.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or not _HOST.match(parts.netloc):
        raise Invalid("this invite link is damaged: ask your police force for a new one")
    if len(force) > 200:
        raise Invalid("this invite link is damaged: ask your police force for a new one")
    return Invite(server=f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}", force=force.strip())
