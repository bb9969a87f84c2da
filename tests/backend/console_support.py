"""Helpers for the console tests: a real backend with an injected clock, staff logins, and form posts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backend.intake import query, scalar, uploader
from tests.support import (
    DEMO_AREAS,
    KENT,
    LiveServer,
    act,
    console_login,
    free_port,
    jpeg_bytes,
    photo_decl,
    register,
    report_body,
)

KENT_POLICE = "Kent Police"
SUSSEX_POLICE = "Sussex Police"
HAMPSHIRE_POLICE = "Hampshire and Isle of Wight Constabulary"
# Demo areas: Kent is lon 0.03..1.45, lat 50.91..51.48; Sussex lon -0.73..0.03, lat 50.72..51.15.
KENT_NEAR_SUSSEX = (51.10, 0.10)  # in Kent, about 5 km east of Sussex
KENT_FAR_FROM_SUSSEX = (51.25, 1.20)  # in Kent, far from every other force
PASSWORD_SUFFIX = "-password-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ConsoleServer:
    """The live backend and the file its clock reads (HEDGEROW_CLOCK_FILE), so a test can move time."""

    live: LiveServer
    clock_file: Path
    # Every client the helpers open, kept here so none is left to the garbage collector (an unclosed socket
    # is a warning, and warnings are errors); closed with the server.
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.live.stop()

    @property
    def url(self) -> str:
        return self.live.url

    def now(self) -> datetime:
        return datetime.fromisoformat(self.clock_file.read_text().strip())

    def set_now(self, moment: datetime) -> None:
        self.clock_file.write_text(moment.astimezone(UTC).isoformat())

    def advance(self, **delta: float) -> datetime:
        moment = self.now() + timedelta(**delta)
        self.set_now(moment)
        return moment

    def sweep(self) -> str:
        """`hedgerow sweep` at the server's clock: raises the flags of clocks that ran out, clears the others."""
        done = self.live.cli("sweep", "--no-deliver")
        assert done.returncode == 0, done.stderr
        return done.stdout

    def add_user(self, username: str, role: str, force: str | None = None, name: str | None = None) -> str:
        """A staff user made through the CLI; returns the password."""
        password = username + PASSWORD_SUFFIX
        args = ["users", "add", username, "--role", role]
        args += ["--force", force] if force else []
        args += ["--name", name] if name else []
        done = self.live.cli(*args, stdin=password + "\n")
        assert done.returncode == 0, done.stderr
        return password

    def query(self, sql: str, *params: Any) -> list[Any]:
        return query(self.live, sql, *params)

    def scalar(self, sql: str, *params: Any) -> Any:
        return scalar(self.live, sql, *params)


def start_console_server(data_dir: Path, **env: str) -> ConsoleServer:
    clock = data_dir / "clock.txt"
    data_dir.mkdir(parents=True, exist_ok=True)
    clock.write_text(datetime.now(UTC).replace(microsecond=0).isoformat())
    live = LiveServer(
        data_dir / "server",
        env={
            "HEDGEROW_REGISTER_PER_HOUR": "100000",
            "HEDGEROW_CLOCK_FILE": str(clock),
            "HEDGEROW_SWEEP_INTERVAL_S": "0",  # the tests sweep when they choose to
            "HEDGEROW_SESSION_HOURS": "100000",  # sessions outlive the moves of the clock
            # A tile server that is not there: the tests run without internet, and the maps must cope.
            "HEDGEROW_TILE_URL": f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png",
            **env,
        },
    )
    done = live.cli("areas", "import", str(DEMO_AREAS))
    assert done.returncode == 0, done.stderr
    live.start()
    return ConsoleServer(live, clock)


def console_server(tmp_path_factory: pytest.TempPathFactory, **env: str) -> Iterator[ConsoleServer]:
    """For a module's fixture: `yield from console_server(tmp_path_factory)`."""
    server = start_console_server(tmp_path_factory.mktemp("console"), **env)
    yield server
    server.close()


class Staff:
    """A logged-in console user: an httpx client holding the session cookie, and the page's CSRF token."""

    def __init__(self, server: ConsoleServer, username: str, password: str) -> None:
        self.server = server
        self.username = username
        self.client = server.client()
        r = console_login(self.client, username, password)
        assert r.status_code == 303, r.text
        # The queue (or, for an NFU user, the 403 page in its place) carries the session's token in its header.
        self.csrf = csrf_of(self.client.get("/console").text)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> httpx.Response:
        form = {**(data or {})}
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post(path, data=form)

    def act(self, report_id: str, kind: str, **fields: Any) -> httpx.Response:
        return self.post(f"/console/reports/{report_id}/actions", {"kind": kind, **fields})


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(server: ConsoleServer, username: str, role: str, force: str | None = None, name: str | None = None) -> Staff:
    return Staff(server, username, server.add_user(username, role, force, name))


class Farmer:
    """A registered phone: sends reports and pulls their public state through the farmer API."""

    def __init__(self, server: ConsoleServer, name: str = "Jo Farmer", **registration: Any) -> None:
        self.client = server.client()
        self.headers = register(self.client, name, **registration)

    def report(self, where: tuple[float, float] = KENT, **body: Any) -> str:
        report_id = str(uuid.uuid4())
        r = self.client.put(f"/api/v1/reports/{report_id}", json=report_body(where=where, **body), headers=self.headers)
        assert r.status_code == 201, r.text
        return report_id

    def view(self, report_id: str) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/reports/{report_id}", headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    def pull(self, since: int = 0) -> dict[str, Any]:
        r = self.client.get("/api/v1/reports", params={"since": since, "limit": 200}, headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()


def event_kinds(server: ConsoleServer, report_id: str) -> list[str]:
    return [r["kind"] for r in server.query("SELECT kind FROM events WHERE report_id = ? ORDER BY id", report_id)]


def report_through_every_event(
    console: ConsoleServer,
    farmer: Farmer,
    officer_api: dict[str, str],
    colour: tuple[int, int, int],
    farmer_words: tuple[str, str],
    events: list[dict[str, Any]],
) -> str:
    """A report with one photo (its pixels `colour`), the farmer's update and chase (`farmer_words`), then each of
    `events` by an officer through the staff API; returns the report's id."""
    photo = jpeg_bytes(color=colour)
    decl = photo_decl(photo)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, photos=[decl])
    uploader(console.url, farmer.headers, photo, report_id, decl).upload()
    update = {"update_id": str(uuid.uuid4()), "text": farmer_words[0], "photos": []}
    chase = {"chase_id": str(uuid.uuid4()), "text": farmer_words[1]}
    for path, body in (("updates", update), ("chase", chase)):
        sent = farmer.client.post(f"/api/v1/reports/{report_id}/{path}", json=body, headers=farmer.headers)
        assert sent.status_code == 201, sent.text
    api = console.client()
    for event in events:
        act(api, officer_api, report_id, **event)
    return report_id
