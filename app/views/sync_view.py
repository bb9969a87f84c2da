"""The sync screen: what is waiting, what is sending, when the last sync was, the last error, "Sync now"."""

from __future__ import annotations

from datetime import UTC, datetime

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.sync_state import SyncState
from app.views.common import GREEN, RED, body, checkbox, heading, primary_button, screen, secondary_button


@ft.component
def SyncView(app: AppState, sync: SyncState) -> ft.Control:
    controls: list[ft.Control] = [
        heading(_("Sending"), key="sync-title"),
        body(sync.waiting, key="sync-waiting"),
    ]
    if sync.sending:
        controls.append(body(_("Sending now: {what}").format(what=sync.sending), key="sync-sending", color=GREEN))
        if sync.progress is not None:
            controls.append(ft.ProgressBar(value=sync.progress, color=GREEN, key="sync-progress"))
    if sync.waiting_for_wifi:
        controls.append(body(_("Photos wait for Wi-Fi (your setting). Reports' words go at once."), key="sync-wifi"))
    controls.append(body(_("Last sync: {when}").format(when=sync.last_sync), key="sync-last"))
    if sync.last_error:
        controls.append(body(_("Last problem: {problem}").format(problem=sync.last_error), key="sync-error", color=RED))
    if sync.needs_registration:
        controls.append(
            secondary_button(_("Check your details"), lambda e: app.edit_registration(), key="sync-register")
        )
    controls += [
        primary_button(_("Sync now"), lambda e: sync.sync_now(), key="sync-now", icon=ft.Icons.SYNC),
        checkbox(
            _("Send photos on Wi-Fi only"),
            sync.wifi_only,
            lambda ticked: sync.set_wifi_only(ticked, datetime.now(UTC)),
            key="sync-wifi-only",
        ),
    ]
    return screen(
        controls,
        bottom=[secondary_button(_("Back"), lambda e: app.leave_report(), key="sync-back", icon=ft.Icons.ARROW_BACK)],
        key="screen-sync",
    )
