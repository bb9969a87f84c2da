"""Start the farmer app: `python -m app.main`.

Run from a terminal it serves the Flet web UI on 127.0.0.1:FLET_SERVER_PORT (default 8550). Python and
SQLite run here and the Flutter UI in the browser: the phone's arrangement exactly, so an unreachable server
is the phone's "no signal". Packaged by `flet build` it runs embedded on the phone instead.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime

import flet as ft
from flet.utils import is_embedded

from app.config import AppConfig
from app.services.camera import FletCamera
from app.services.device import FletDialer, FletLocator, FletPhotoSource
from app.services.enrolment import default_server_url
from app.state.app_state import AppState
from app.state.invite import apply_invite
from app.state.ports import Ports
from app.state.sync_state import SyncState
from app.store import Store, open_store
from app.store.profile import load_profile
from app.sync.backoff import FIRST_DELAY_S, MAX_DELAY_S, Backoff
from app.sync.engine import PERIOD_S, SyncEngine
from app.views.app_view import AppView
from app.views.common import theme

log = logging.getLogger("hedgerow.app")


def make_main(config: AppConfig, store: Store):  # type: ignore[no-untyped-def]
    """The Flet entry point for one session (one phone screen), sharing the process's database."""

    def server_url() -> str:
        profile = load_profile(store)
        return profile.server_url if profile else config.server_url

    # HEDGEROW_SYNC_PERIOD_S / HEDGEROW_SYNC_BACKOFF_S: shorter timer and backoff for tests and demonstrations.
    first_delay = float(os.environ.get("HEDGEROW_SYNC_BACKOFF_S") or FIRST_DELAY_S)
    engine = SyncEngine(
        store,
        config.server_url,
        resolve_url=server_url,
        period_s=float(os.environ.get("HEDGEROW_SYNC_PERIOD_S") or PERIOD_S),
        backoff=Backoff(first_s=first_delay, max_s=first_delay * MAX_DELAY_S / FIRST_DELAY_S),
    )
    started: list[bool] = []

    async def main(page: ft.Page) -> None:
        page.title = "Hedgerow"
        page.theme = theme()
        page.theme_mode = ft.ThemeMode.LIGHT
        page.bgcolor = "#FFFFFF"
        page.padding = 0
        ports = Ports(photos=FletPhotoSource(), locator=FletLocator(), dialer=FletDialer(), camera=FletCamera(page))
        tz = datetime.now().astimezone().tzinfo
        assert tz is not None
        app = AppState.open(store, ports, tz, default_server_url(config.server_url))
        # An invite link (hedgerow://enrol?server=... on a phone, /enrol?server=... in a browser) arrives as the
        # first route, or as a route change when the app is already open.
        apply_invite(app, page.route)
        page.on_route_change = lambda e: apply_invite(app, e.route)
        # One sync engine for the process, started with the first screen; every screen shows its status.
        app.sync = SyncState.attach(store, engine, tz, app.refresh_reports)
        wifi: list[bool] = [True]
        engine.on_wifi = lambda: wifi[0]

        def connectivity_changed(e: ft.ConnectivityChangeEvent) -> None:
            wifi[0] = ft.ConnectivityType.WIFI in e.connectivity or ft.ConnectivityType.ETHERNET in e.connectivity
            engine.connectivity_changed(e.connectivity != [ft.ConnectivityType.NONE])

        ft.Connectivity(on_change=connectivity_changed)
        page.render(AppView, app)
        if not started:
            started.append(True)
            page.run_task(engine.run_forever)
        # Fetch the current categories in the background; with no signal the phone's copy stands.
        page.run_task(app.refresh_categories)

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
    ft.run(make_main(config, store), host=config.host, port=config.port, no_cdn=True)


if __name__ == "__main__":
    run()
