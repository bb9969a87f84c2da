"""Slow-client limits in the HTTP server itself: a deadline for a request's headers, and an idle limit while
its body arrives.

uvicorn has a keep-alive timeout between requests but nothing while a request is being read: a client that sends
one header line a second (slowloris) or goes silent half way through a photo holds its connection, and its
upload, for ever. These limits live in the protocol, below the ASGI app, because a header that never ends
never reaches the app. `hedgerow serve` runs uvicorn with `limited_protocol(...)` as its HTTP implementation.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout_s: float = 10.0
    body_idle_s: float = 30.0
    _header_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None
    _in_body = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # the first request's clock starts with the connection

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()  # a later request on a kept-alive connection: from its first byte

    def on_headers_complete(self) -> None:
        self._cancel("_header_timer")
        super().on_headers_complete()
        self._in_body = True
        self._arm_body_timer()

    def on_message_complete(self) -> None:
        self._in_body = False
        self._cancel("_body_timer")
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self._in_body:
            self._arm_body_timer()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel("_header_timer")
        self._cancel("_body_timer")
        super().connection_lost(exc)

    def _cancel(self, name: str) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.cancel()
            setattr(self, name, None)

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout_s > 0:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _arm_body_timer(self) -> None:
        self._cancel("_body_timer")
        if self.body_idle_s > 0:
            self._body_timer = self.loop.call_later(self.body_idle_s, self._body_went_quiet)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _body_went_quiet(self) -> None:
        self._body_timer = None
        if self.flow.read_paused:
            # We stopped reading (the app has not taken what arrived): the silence is ours, not the client's.
            self._arm_body_timer()
        elif self._in_body and not self.transport.is_closing():
            # Closing is reported to the app as a disconnect: an upload keeps the bytes that arrived.
            self.transport.close()


def limited_protocol(header_timeout_s: float, body_idle_s: float) -> type[LimitedHttpToolsProtocol]:
    return type(
        "HedgerowHttpProtocol",
        (LimitedHttpToolsProtocol,),
        {"header_timeout_s": header_timeout_s, "body_idle_s": body_idle_s},
    )
