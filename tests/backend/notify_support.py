"""Real local servers that notifications are delivered to: a webhook receiver and an SMTP server."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


class WebhookReceiver:
    """An HTTP server on a loopback port that answers 503 to the first `failures` tries of each notification."""

    def __init__(self, failures: int = 2) -> None:
        self.failures = failures
        self.tries: Counter[str] = Counter()
        self.accepted: list[dict[str, Any]] = []
        self.accepted_keys: list[str] = []
        self.accepted_headers: list[dict[str, str]] = []
        self.raw_bodies: list[bytes] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["Idempotency-Key"]
                with receiver.lock:
                    receiver.tries[key] += 1
                    ok = receiver.tries[key] > receiver.failures
                    if ok:
                        receiver.accepted.append(json.loads(body))
                        receiver.accepted_keys.append(key)
                        receiver.accepted_headers.append(dict(self.headers))
                        receiver.raw_bodies.append(body)
                self.send_response(200 if ok else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hedgerow"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailSink:
    """aiosmtpd's SMTP server on a loopback port, keeping every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(envelope)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
