"""Home: the police's alerts near the farmer, one large "Report an incident", the emergency numbers, and the
farmer's reports with their state."""

from __future__ import annotations

import flet as ft

from app.i18n import _, ngettext
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
    choices_of_two,
    heading,
    primary_button,
    screen,
    secondary_button,
    subheading,
)


def _report_tile(app: AppState, row: ReportRow) -> ft.Control:
    photos = (
        " · " + ngettext("{count} photo", "{count} photos", row.photos).format(count=row.photos) if row.photos else ""
    )
    lines: list[ft.Control] = [
        ft.Text(row.title, size=20, weight=ft.FontWeight.W_600),
        ft.Text(row.state, size=18, color=GREEN, weight=ft.FontWeight.W_600, key=f"state-{row.id}"),
    ]
    if row.seen and not row.state_says_seen:
        lines.append(ft.Text(_("Seen by police"), size=18, color=GREEN, key=f"seen-{row.id}"))
    if row.unread:
        lines.append(
            ft.Text(
                ngettext(
                    "{count} new from the police: tap to read", "{count} new from the police: tap to read", row.unread
                ).format(count=row.unread),
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
                ft.Text(_("Open the report"), size=18, color=GREEN, weight=ft.FontWeight.W_600),
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
        [tile, secondary_button(_("Chase"), lambda e: app.chase(row.id), key=f"chase-{row.id}")],
        spacing=4,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


@ft.component
def HomeView(app: AppState, sync: SyncState | None) -> ft.Control:
    """`sync` is passed on its own so that this view is redrawn when the sending status changes."""
    name = app.profile.name.split()[0] if app.profile and app.profile.name else ""
    controls: list[ft.Control] = [
        heading(_("Hello {name}").format(name=name) if name else "Hedgerow", key="home-title")
    ]
    if app.notice:
        controls.append(body(app.notice, key="home-notice", color=GREEN))
    controls.append(AlertTiles(app, app.alerts))
    if app.draft is not None:
        controls.append(
            secondary_button(
                _("Carry on with your unfinished report"),
                lambda e: app.start_report(),
                key="home-resume",
                icon=ft.Icons.EDIT,
            )
        )
    else:
        controls.append(
            primary_button(
                _("Report an incident"), lambda e: app.start_report(), key="home-report", icon=ft.Icons.ADD, big=True
            )
        )
    if app.pending_call:
        controls.append(CallReturnCard(app, key="call-return-card"))
    controls += [
        choices_of_two(
            primary_button(_("Call 999"), app.call_999, key="home-call-999", icon=ft.Icons.CALL, danger=True),
            secondary_button(_("Call 101"), app.call_101, key="home-call-101", icon=ft.Icons.PHONE),
        ),
        body(
            _("Hedgerow is not an emergency service. If someone is in danger or it is happening now, call 999."),
            color=RED,
        ),
        subheading(_("Your reports")),
    ]
    if app.reports:
        unread = sum(row.unread for row in app.reports)
        if unread:
            answers = ngettext("{count} new answer from the police", "{count} new answers from the police", unread)
            controls.append(body(answers.format(count=unread), color=RED))
        controls += [_report_tile(app, row) for row in app.reports]
    else:
        controls.append(body(_("None yet. Reports you make are kept here, with what the police did."), color=MUTED))
    if sync is not None:
        if sync.anything_waiting:
            # Nothing is sent while the app is closed: say plainly what still has to go.
            keep_open = _("{waiting}. Keep the app open where there is signal.").format(waiting=sync.waiting)
            controls.append(body(keep_open, key="home-waiting"))
        controls.append(_link(_("Sending"), ft.Icons.SYNC, lambda e: app.open_sync(), key="home-sync"))
    controls.append(_link(_("Your details"), ft.Icons.PERSON, lambda e: app.edit_registration(), key="home-details"))
    controls.append(
        _link(
            _("Alerts from the police"),
            ft.Icons.CAMPAIGN,
            lambda e: app.open_alert_settings(),
            key="home-alert-settings",
        )
    )
    controls.append(
        _link(_("Language and accessibility"), ft.Icons.SETTINGS, lambda e: app.open_settings(), key="home-settings")
    )
    controls.append(_link(_("Your data"), ft.Icons.FOLDER_SHARED, lambda e: app.open_your_data(), key="home-your-data"))
    return screen(controls, key="screen-home")


def _link(label: str, icon: ft.IconData, on_click: ft.ControlEventHandler, key: str) -> ft.Control:
    """A quieter button for the places the farmer visits rarely; 48 px at least, taller as its text grows."""
    return ft.TextButton(
        content=label,
        icon=icon,
        on_click=on_click,
        key=key,
        style=ft.ButtonStyle(
            text_style=ft.TextStyle(size=18), padding=ft.Padding.symmetric(horizontal=12, vertical=14)
        ),
    )
