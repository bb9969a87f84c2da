"""Start the farmer app: `python -m app.main`.

Run from a terminal it serves the Flet web UI on 127.0.0.1:FLET_SERVER_PORT (default 8550). Python and
SQLite run here and the Flutter UI in the browser: the phone's arrangement exactly, so an unreachable server
is the phone's "no signal". Packaged by `flet build` it runs embedded on the phone instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import flet as ft
from flet.utils import is_embedded

from app.config import AppConfig
from app.services.camera import FletCamera
from app.services.device import FletDialer, FletLocator, FletPhotoSource
from app.services.enrolment import default_server_url
from app.services.photos import MAX_INPUT_BYTES
from app.state.app_state import AppState
from app.state.invite import apply_invite
from app.state.ports import Ports
from app.state.sync_state import SyncState
from app.store import Store, open_store
from app.store.profile import load_profile
from app.sync.backoff import FIRST_DELAY_S, MAX_DELAY_S, Backoff
from app.sync.engine import PERIOD_S, PROBE_S, SyncEngine
from app.views.app_view import AppView
from app.views.common import theme

log = logging.getLogger("hedgerow.app")
ALERT_EXPIRY_CHECK_S = 30.0


def make_main(config: AppConfig, store: Store, upload_dir: Path | None = None):  # type: ignore[no-untyped-def]
    """The Flet entry point for one session (one phone screen), sharing the process's database."""

    def server_url() -> str:
        profile = load_profile(store)
        return profile.server_url if profile else config.server_url

    first_delay = FIRST_DELAY_S if config.sync_backoff_s is None else config.sync_backoff_s
    engine = SyncEngine(
        store,
        config.server_url,
        resolve_url=server_url,
        period_s=PERIOD_S if config.sync_period_s is None else config.sync_period_s,
        probe_s=PROBE_S if config.sync_probe_s is None else config.sync_probe_s,
        backoff=Backoff(first_s=first_delay, max_s=first_delay * MAX_DELAY_S / FIRST_DELAY_S),
    )
    started: list[bool] = []

    async def main(page: ft.Page) -> None:
        page.title = "Hedgerow"
        page.theme = theme()
        page.theme_mode = ft.ThemeMode.LIGHT
        page.bgcolor = "#FFFFFF"
        page.padding = 0
        ports = Ports(
            photos=FletPhotoSource(upload_dir), locator=FletLocator(), dialer=FletDialer(), camera=FletCamera(page)
        )
        tz = datetime.now().astimezone().tzinfo
        assert tz is not None
        app = AppState.open(store, ports, tz, default_server_url(config.server_url))
        # An invite link (hedgerow://enrol?server=... on a phone, /enrol?server=... in a browser) arrives as the
        # first route, or as a route change when the app is already open.
        apply_invite(app, page.route)
        page.on_route_change = lambda e: apply_invite(app, e.route)

        def in_this_session(change: Callable[[], None]) -> None:
            """Run a change on this screen's own task: the engine runs in another session's task, and a change
            made there would not be pushed to this screen."""

            async def apply() -> None:
                change()

            page.run_task(apply)

        # One sync engine for the process, started with the first screen; every open screen shows its status.
        app.sync = SyncState.attach(store, engine, tz, app.refresh, schedule=in_this_session)
        wifi: list[bool] = [True]
        engine.on_wifi = lambda: wifi[0]

        def connectivity_changed(e: ft.ConnectivityChangeEvent) -> None:
            wifi[0] = ft.ConnectivityType.WIFI in e.connectivity or ft.ConnectivityType.ETHERNET in e.connectivity
            engine.connectivity_changed(e.connectivity != [ft.ConnectivityType.NONE])

        def lifecycle_changed(e: ft.AppLifecycleStateChangeEvent) -> None:
            # On a phone Python stops while the app is in the background: on the way back, sync at once.
            if e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                engine.resumed()
            elif e.state in (ft.AppLifecycleState.PAUSE, ft.AppLifecycleState.HIDE):
                engine.paused()

        open_screen = [True]

        def closed(e: ft.ControlEvent) -> None:
            open_screen[0] = False
            if app.sync is not None:
                app.sync.detach()

        ft.Connectivity(on_change=connectivity_changed)
        page.on_app_lifecycle_state_change = lifecycle_changed
        page.on_close = closed
        page.render(AppView, app)
        if not started:
            started.append(True)
            page.run_task(engine.run_forever)
        # Fetch the current categories in the background; with no signal the phone's copy stands.
        page.run_task(app.refresh_categories)

        async def expire_alerts() -> None:
            """An alert past its end goes from the screen by the phone's own clock, signal or not."""
            while open_screen[0]:
                await asyncio.sleep(ALERT_EXPIRY_CHECK_S)
                if open_screen[0]:
                    app.alerts.refresh()

        page.run_task(expire_alerts)

    return main


def run() -> None:
    config = AppConfig.from_env()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(config.data_dir)
    if not is_embedded():
        # Serve the web UI even where a desktop is available: the desktop client downloads itself at first run.
        os.environ.setdefault("FLET_FORCE_WEB_SERVER", "true")
        print(
            f"Hedgerow farmer app: http://{config.host}:{config.port}/ "
            f"(data {config.data_dir}, server {config.server_url})",
            flush=True,
        )
    # The browser streams chosen photos here over HTTP (signed, short-lived URLs) rather than down the websocket.
    upload_dir = config.data_dir / "incoming"
    upload_dir.mkdir(exist_ok=True)
    for leftover in upload_dir.glob("*.part"):  # a transfer the app was killed in the middle of
        leftover.unlink(missing_ok=True)
    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("FLET_MAX_UPLOAD_SIZE", str(MAX_INPUT_BYTES))
    ft.run(
        make_main(config, store, upload_dir),
        host=config.host,
        port=config.port,
        no_cdn=True,
        upload_dir=str(upload_dir),
    )


if __name__ == "__main__":
    run()
