"""Real local servers that notifications are delivered to: a webhook receiver and an SMTP server."""

from __future__ import annotations

import json
import socket
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
    """aiosmtpd's SMTP server on a loopback port, keeping every message it is sent; it answers "451, try again
    later" to the first `failures` tries of each recipient (as a busy mail server does)."""

    def __init__(self, failures: int = 0) -> None:
        self.messages: list[Any] = []
        self.tries: Counter[str] = Counter()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                key = ",".join(envelope.rcpt_tos)
                sink.tries[key] += 1
                if sink.tries[key] <= failures:
                    return "451 4.3.0 Try again later"
                sink.messages.append(envelope)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class SmsGateway:
    """An SMS gateway on a loopback port, as HEDGEROW_SMS_URL names one: it takes POSTed JSON {"to", "text", ...}
    and "sends" each message once per `Idempotency-Key`, as a gateway honouring the key does.

    Per key, the first `failures` tries are answered 500; the next `drops` tries are read and their connection
    closed with no answer (nothing sent); with `lose_answer`, the first try it accepts is sent and then its
    connection closed before the answer (the client cannot know it went through)."""

    def __init__(self, failures: int = 0, drops: int = 0, lose_answer: bool = False) -> None:
        self.tries: Counter[str] = Counter()
        self.sent: list[dict[str, Any]] = []  # the messages that reached phones
        self.keys_seen: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["Idempotency-Key"]
                with gateway.lock:
                    gateway.tries[key] += 1
                    tries = gateway.tries[key]
                    gateway.keys_seen.append(key)
                    if tries <= failures:
                        outcome = "fail"
                    elif tries <= failures + drops:
                        outcome = "drop"
                    else:
                        first = key not in {m["key"] for m in gateway.sent}
                        if first:
                            gateway.sent.append({"key": key, **json.loads(body)})
                            gateway.headers.append(dict(self.headers))
                            gateway.raw.append(body)
                        outcome = "lose" if first and lose_answer else "ok"
                if outcome in ("drop", "lose"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(500 if outcome == "fail" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["to"] == number]

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
