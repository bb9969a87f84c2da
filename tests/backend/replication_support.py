"""Helpers for the replication tests: an S3-compatible server (moto's server mode) on a free loopback port, a
phone sending reports and photos at a steady rate through the real API, and the server's deep health."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from tests.backend.intake import noise_jpeg, uploader
from tests.support import free_port, photo_decl, register, report_body, wait_until

BUCKET = "hedgerow-replica"
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """moto's S3 in a process of its own; yields its endpoint URL, with the bucket made. Stopped by its PID."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **S3_ENV},
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(endpoint), "moto's server answers", timeout=30)
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
        client.create_bucket(Bucket=BUCKET)
        client.close()
        yield endpoint
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"]}


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
        return True
    except httpx.TransportError:
        return False


def deep_health(base_url: str) -> tuple[int, dict[str, Any]]:
    r = httpx.get(f"{base_url}/healthz", params={"deep": 1}, timeout=10)
    return r.status_code, r.json()


@dataclass
class Sent:
    report_id: str
    body: dict[str, Any]
    sent_at: float  # wall clock, when the PUT went
    acked_at: float | None = None  # wall clock, when its 201 came back
    photo: bytes | None = None
    photo_acked_at: float | None = None  # when the last piece of its photo was acknowledged


@dataclass
class SteadyPhone:
    """A phone sending a report every `every_s` and, with every `photo_every`-th, a photo over tus, until the
    server goes (the first refused connection) or `stop()`. Times are the wall clock's, for comparing with the
    moment of the kill."""

    base_url: str
    every_s: float = 0.1
    photo_every: int = 3
    sent: list[Sent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            self.device = register(c)
        self._thread = threading.Thread(target=self._run, name="steady-phone", daemon=True)

    def start(self) -> SteadyPhone:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                photo = noise_jpeg(n, 160, 120) if n % self.photo_every == 0 else None
                body = report_body(description=f"Steady report {n}", photos=[photo_decl(photo)] if photo else [])
                item = Sent(str(uuid.uuid4()), body, time.time(), photo=photo)
                self.sent.append(item)
                try:
                    r = http.put(f"/api/v1/reports/{item.report_id}", json=body, headers=self.device)
                    if r.status_code != 201:
                        self.errors.append(f"{item.report_id}: {r.status_code} {r.text[:200]}")
                        return
                    item.acked_at = time.time()
                    if photo is not None:
                        up = uploader(
                            self.base_url, self.device, photo, item.report_id, body["photos"][0], chunk_size=1 << 20
                        )
                        up.upload()
                        item.photo_acked_at = time.time()
                except (httpx.TransportError, TusCommunicationError, TusUploadFailed) as exc:
                    self.errors.append(f"{item.report_id}: {type(exc).__name__}")
                    return
                self._stop.wait(self.every_s)
