"""Helpers for tests that run the real backend in its own process on a loopback port."""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DEMO_AREAS = ROOT / "assets" / "areas" / "demo-areas.geojson"
# Points inside the demo areas (see assets/areas/demo-areas.geojson).
KENT = (51.25, 0.90)
MAIDSTONE_PATCH = (51.25, 0.50)
HAMPSHIRE = (51.0, -1.3)
THAMES_VALLEY = (51.75, -1.2)
SCOTTISH_BORDERS = (55.6, -2.8)
NOWHERE = (48.85, 2.35)  # Paris: outside every area


# Tests that draw random choices use a fixed seed each (`@pytest.mark.seed(N)`); this variable replaces it, to try
# other draws or to replay the one a failure names (tests/conftest.py adds the seed to every failure's report).
SEED_VARIABLE = "HEDGEROW_TEST_SEED"


def chosen_seed(default: int) -> int:
    """The seed a test runs with: `default`, or the value of HEDGEROW_TEST_SEED when it is set."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    return int(value) if value else default


def wait_until(condition: Callable[[], object], what: str, timeout: float = 30.0, every: float = 0.05) -> None:
    """Poll `condition` until it holds; fail naming `what` once `timeout` seconds have passed without it."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """The real backend (`hedgerow serve`) in a subprocess, with its own data directory."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> LiveServer:
        env = {**os.environ, "HEDGEROW_DATA_DIR": str(self.data_dir), **self.env}
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a crash or a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `hedgerow ...` against this server's data directory."""
        env = {**os.environ, "HEDGEROW_DATA_DIR": str(self.data_dir), **self.env}
        return subprocess.run(
            [sys.executable, "-m", "backend.cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )


def jpeg_bytes(width: int = 640, height: int = 480, color: tuple[int, int, int] = (60, 120, 40), **save: Any) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", **save)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def photo_decl(data: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"photo_id": str(uuid.uuid4()), "sha256": sha256(data), "bytes": len(data), "content_type": content_type}


def report_body(
    category: str = "fly_tipping",
    where: tuple[float, float] = KENT,
    photos: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid report body, as the app would send it."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    details = {"fly_tipping": {"size_band": "small van load", "waste_types": ["household"]}}.get(category, {})
    body: dict[str, Any] = {
        "category": category,
        "happening_now": False,
        "occurred_at": now,
        "created_at": now,
        "description": "Dumped in the gateway overnight",
        "location": {"lat": where[0], "lon": where[1], "accuracy_m": 12.0, "source": "gps"},
        "details": details,
        "photos": photos or [],
    }
    body.update(overrides)
    return body


def register(client: httpx.Client, name: str = "Jo Farmer", **fields: Any) -> dict[str, str]:
    """Register a device (with any further fields of the registration: "language"); returns the headers that
    authenticate as it."""
    body = {"name": name, "phone": "07700 900123", "farm_name": "Hill Farm", **fields}
    r = client.post("/api/v1/devices", json=body)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def staff_token(
    server: LiveServer, client: httpx.Client, username: str, role: str, force: str | None = None
) -> dict[str, str]:
    """Create a staff user through the CLI and log in for an API token; returns auth headers."""
    password = f"{username}-password-123"
    args = ["users", "add", username, "--role", role] + (["--force", force] if force else [])
    done = server.cli(*args, stdin=password + "\n")
    assert done.returncode == 0, done.stderr
    r = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def act(api: httpx.Client, officer: dict[str, str], report_id: str, **event: Any) -> None:
    """An officer's event on a report through the staff API (`officer`: staff_token's headers); it must be taken."""
    done = api.post(f"/api/v1/reports/{report_id}/events", json=event, headers=officer)
    assert done.status_code == 201, done.text


def server_with_kent_officer(root: Path, password: str) -> LiveServer:
    """A live server with the demo areas and one Kent Police officer ("kent.officer", PC Kent), started."""
    server = LiveServer(root, env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    added = server.cli("users", "add", "kent.officer", "--role", "officer", "--force", "Kent Police", "--name",
                       "PC Kent", stdin=password + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    server.start()
    return server


_LOGIN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_login(client: httpx.Client, username: str, password: str, **form: str) -> httpx.Response:
    """Log in through the console's form as a browser does: fetch the form (its token and the token's cookie land
    in the client), then post it. Returns the answer to the post (303 to the console when logged in)."""
    page = client.get("/console/login")
    assert page.status_code == 200, page.text[:300]
    found = _LOGIN_TOKEN.search(page.text)
    assert found, "no CSRF token in the login form"
    data = {"username": username, "password": password, "csrf_token": found.group(1), **form}
    return client.post("/console/login", data=data, follow_redirects=False)
