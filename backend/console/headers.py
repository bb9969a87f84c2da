"""The console's security headers on every response under its paths, whatever made the response.

Pages rendered by `render.page` set them already; this middleware fills them in on the rest: the login page,
redirects, error pages, downloads, and answers made before any route runs (404, 405, 413). A header a route set
itself is left as it is.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.console.render import security_headers
from backend.settings import Settings

# The HTML the backend serves: the console, and the public page an invite's QR code opens.
HTML_PREFIXES = ("/console", "/enrol")


def is_html_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in HTML_PREFIXES)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_html_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
