"""Home: the police's alerts near the farmer, one large "Report an incident", the emergency numbers, and the
farmer's reports with their state."""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState, ReportRow
from app.state.sync_state import SyncState
from app.views.alert_tiles import AlertTiles
from app.views.call_return import CallReturnCard
from app.views.common import (
    GREEN,
    MUTED,
    RED,
    SMALL_PX,
    body,
    heading,
    primary_button,
    screen,
    secondary_button,
    subheading,
)


def _report_tile(app: AppState, row: ReportRow) -> ft.Control:
    photos = f" · {row.photos} photo{'s' if row.photos != 1 else ''}" if row.photos else ""
    lines: list[ft.Control] = [
        ft.Text(row.title, size=20, weight=ft.FontWeight.W_600),
        ft.Text(row.state, size=18, color=GREEN, weight=ft.FontWeight.W_600, key=f"state-{row.id}"),
    ]
    if row.seen and row.state != "Seen by police":
        lines.append(ft.Text("Seen by police", size=18, color=GREEN, key=f"seen-{row.id}"))
    if row.unread:
        lines.append(
            ft.Text(
                f"{row.unread} new from the police: tap to read",
                size=18,
                color=RED,
                weight=ft.FontWeight.W_600,
                key=f"unread-{row.id}",
            )
        )
    if row.problem:
        lines.append(ft.Text(row.problem, size=SMALL_PX, color=RED, key=f"problem-{row.id}"))
    lines.append(ft.Text(f"{row.when}{photos}", size=SMALL_PX, color=MUTED))
    lines.append(
        ft.Row(
            [
                ft.Text("Open the report", size=18, color=GREEN, weight=ft.FontWeight.W_600),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=GREEN, semantics_label=""),
            ],
            spacing=4,
        )
    )
    tile = ft.Container(
        key=f"report-{row.id}",
        padding=12,
        border=ft.Border.all(1, "#999999"),
        border_radius=8,
        ink=True,
        on_click=lambda e: app.open_report(row.id),
        content=ft.Column(lines, spacing=4),
    )
    if not row.overdue:
        return tile
    return ft.Column(
        [tile, secondary_button("Chase", lambda e: app.chase(row.id), key=f"chase-{row.id}")],
        spacing=4,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


@ft.component
def HomeView(app: AppState, sync: SyncState | None) -> ft.Control:
    """`sync` is passed on its own so that this view is redrawn when the sending status changes."""
    name = app.profile.name.split()[0] if app.profile and app.profile.name else ""
    controls: list[ft.Control] = [heading(f"Hello {name}" if name else "Hedgerow", key="home-title")]
    if app.notice:
        controls.append(body(app.notice, key="home-notice", color=GREEN))
    controls.append(AlertTiles(app, app.alerts))
    if app.draft is not None:
        controls.append(
            secondary_button(
                "Carry on with your unfinished report",
                lambda e: app.start_report(),
                key="home-resume",
                icon=ft.Icons.EDIT,
            )
        )
    else:
        controls.append(
            primary_button(
                "Report an incident", lambda e: app.start_report(), key="home-report", icon=ft.Icons.ADD, big=True
            )
        )
    if app.pending_call:
        controls.append(CallReturnCard(app, key="call-return-card"))
    controls += [
        ft.Row(
            [
                primary_button(
                    "Call 999", app.call_999, key="home-call-999", icon=ft.Icons.CALL, danger=True, expand=True
                ),
                secondary_button("Call 101", app.call_101, key="home-call-101", icon=ft.Icons.PHONE, expand=True),
            ],
            spacing=12,
        ),
        body(
            "Hedgerow is not an emergency service. If someone is in danger or it is happening now, call 999.", color=RED
        ),
        subheading("Your reports"),
    ]
    if app.reports:
        unread = sum(row.unread for row in app.reports)
        if unread:
            controls.append(body(f"{unread} new answer{'s' if unread != 1 else ''} from the police", color=RED))
        controls += [_report_tile(app, row) for row in app.reports]
    else:
        controls.append(body("None yet. Reports you make are kept here, with what the police did.", color=MUTED))
    if sync is not None:
        if sync.waiting != "Nothing waiting":
            # Nothing is sent while the app is closed: say plainly what still has to go.
            controls.append(body(sync.waiting + ". Keep the app open where there is signal.", key="home-waiting"))
        controls.append(
            ft.TextButton(
                content="Sending",
                icon=ft.Icons.SYNC,
                on_click=lambda e: app.open_sync(),
                key="home-sync",
                style=ft.ButtonStyle(text_style=ft.TextStyle(size=18)),
                height=48,
            )
        )
    controls.append(
        ft.TextButton(
            content="Alerts from the police",
            icon=ft.Icons.CAMPAIGN,
            on_click=lambda e: app.open_alert_settings(),
            key="home-alert-settings",
            style=ft.ButtonStyle(text_style=ft.TextStyle(size=18)),
            height=48,
        )
    )
    controls.append(
        ft.TextButton(
            content="Your details",
            icon=ft.Icons.PERSON,
            on_click=lambda e: app.edit_registration(),
            key="home-details",
            style=ft.ButtonStyle(text_style=ft.TextStyle(size=18)),
            height=48,
        )
    )
    controls.append(
        ft.TextButton(
            content="Your data",
            icon=ft.Icons.FOLDER_SHARED,
            on_click=lambda e: app.open_your_data(),
            key="home-your-data",
            style=ft.ButtonStyle(text_style=ft.TextStyle(size=18)),
            height=48,
        )
    )
    return screen(controls, key="screen-home")
