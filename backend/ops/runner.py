"""`hedgerow run` (and `make run`): everything a newcomer needs on one machine, from one command.

Migrates the database, seeds the demo when it holds no reports, starts the backend (uvicorn, in this process)
and, once the farmer app exists (app/main.py), the app as a child process served to a browser. Prints where
everything is and the demo logins, and stops both on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

import uvicorn

from backend.db import open_and_migrate
from backend.http_limits import limited_protocol
from backend.services.clocks import sweep
from backend.services.demo import generator
from backend.settings import Settings
from backend.time_source import clock_for

ROOT = Path(__file__).resolve().parents[2]
APP_MAIN = ROOT / "app" / "main.py"
APP_START_TIMEOUT_S = 60.0
APP_STOP_TIMEOUT_S = 10.0


def _say(text: str) -> None:
    print(text, flush=True)


def _visible_host(host: str) -> str:
    """The address to put in a URL: a server listening on every interface is reachable on loopback."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def seed_if_empty(settings: Settings) -> list[generator.DemoLogin]:
    """Migrate; seed the demo into a database with no reports. Returns the demo logins the database holds."""
    db = open_and_migrate(settings.db_path)
    try:
        held = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        if held == 0:
            _say(f"The database at {settings.db_path} has no reports: seeding {settings.demo_reports} demo reports.")
            _say(generator.seed(db, settings, reports=settings.demo_reports, progress=True))
        else:
            _say(f"The database at {settings.db_path} holds {held} reports; not seeding demo data.")
        # Flags before the URLs are printed: the first look at the queue shows what is overdue, not "None".
        swept = sweep.sweep(db, clock_for(settings)(), settings)
        _say(f"Flags brought up to date: {len(swept.raised)} raised, {len(swept.cleared)} cleared.")
        return generator.demo_logins(db)
    finally:
        db.close()


def start_app(settings: Settings) -> subprocess.Popen[bytes]:
    """The Flet farmer app as a web server on HEDGEROW_APP_PORT, talking to this backend."""
    phone_dir = settings.data_dir / "phone"
    phone_dir.mkdir(parents=True, exist_ok=True)
    host = _visible_host(settings.host)
    env = {
        **os.environ,
        "FLET_SERVER_PORT": str(settings.app_port),
        "FLET_SERVER_IP": host,
        # Serve to a browser and do not try to open one: the URL is printed instead.
        "FLET_FORCE_WEB_SERVER": "true",
        "FLET_APP_STORAGE_DATA": str(phone_dir),
        "HEDGEROW_SERVER_URL": f"http://{host}:{settings.port}",
    }
    return subprocess.Popen([sys.executable, "-m", "app.main"], cwd=ROOT, env=env)


def stop_app(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(APP_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def banner(settings: Settings, logins: list[generator.DemoLogin], app_line: str) -> str:
    base = f"http://{_visible_host(settings.host)}:{settings.port}"
    lines = [
        f"Hedgerow is running (data in {settings.data_dir}):",
        f"  API docs:    {base}/docs",
        f"  Categories:  {base}/api/v1/categories",
        f"  Console:     {base}/console",
        f"  Farmer app:  {app_line}",
    ]
    if logins:
        lines.append(f"Demo logins for the console, all with the password {generator.DEMO_PASSWORD!r}:")
        width = max(len(login.username) for login in logins) + 2
        for login in logins:
            lines.append(f"  {login.username.ljust(width)}{login.role}" + (f", {login.force}" if login.force else ""))
    else:
        lines.append("No demo logins in this database: add a user with `hedgerow users add NAME --role admin`.")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _announce(
    server: uvicorn.Server, settings: Settings, logins: list[generator.DemoLogin], app: subprocess.Popen[bytes] | None
) -> None:
    """Print the banner once the backend answers (and the app too, if it was started)."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    host = _visible_host(settings.host)
    if app is None:
        why = "not started (app/main.py does not exist yet)" if not APP_MAIN.exists() else "not started (--no-app)"
        _say(banner(settings, logins, why))
        return
    deadline = time.monotonic() + APP_START_TIMEOUT_S
    while app.poll() is None and not _port_open(host, settings.app_port) and time.monotonic() < deadline:
        time.sleep(0.1)
    if app.poll() is not None:
        line = f"failed to start (exit code {app.returncode}; see its messages above)"
    elif _port_open(host, settings.app_port):
        line = f"http://{host}:{settings.app_port}"
    else:
        line = f"http://{host}:{settings.app_port} (still starting)"
    _say(banner(settings, logins, line))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_everything(settings: Settings, app: bool = True) -> int:
    """Migrate, seed if empty, serve until Ctrl-C or SIGTERM; returns the exit code."""
    # SIGTERM stops us as Ctrl-C does. uvicorn handles both while it serves and, once it has shut down,
    # re-raises the signal it caught: this handler turns that into KeyboardInterrupt, so the app is stopped too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    app_proc = None
    try:
        logins = seed_if_empty(settings)
        if app and APP_MAIN.exists():
            app_proc = start_app(settings)
            if not settings.app_url:
                # The console's invites offer the farmer app served here, as a phone stand-in.
                settings = replace(settings, app_url=f"http://{_visible_host(settings.host)}:{settings.app_port}")
        from backend.main import create_app

        config = uvicorn.Config(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            http=limited_protocol(settings.header_timeout_s, settings.upload_idle_s),
        )
        server = uvicorn.Server(config)
        threading.Thread(
            target=_announce, args=(server, settings, logins, app_proc), name="hedgerow-banner", daemon=True
        ).start()
        server.run()
        return 0 if server.started else 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_app(app_proc)
        signal.signal(signal.SIGTERM, previous)
        _say("Hedgerow stopped.")
