"""The police's alerts at the top of home, nearest first: each a large card that opens the alert."""

from __future__ import annotations

import flet as ft

from app.i18n import _, ngettext
from app.state.alerts import AlertBoard, AlertRow
from app.state.app_state import AppState
from app.views.common import MUTED, RED, SMALL_PX, WARN_BG, WARN_INK, subheading

ALERT_BG = "#FDECEA"  # pale red: an alert, not a report


def _tile(app: AppState, row: AlertRow) -> ft.Control:
    title = [ft.Text(row.title, size=20, weight=ft.FontWeight.W_600, color=WARN_INK)]
    if row.unread:
        title.insert(
            0, ft.Text(_("New"), size=SMALL_PX, weight=ft.FontWeight.BOLD, color=RED, key=f"alert-new-{row.id}")
        )
    lines: list[ft.Control] = [ft.Row(title, spacing=8, wrap=True)]
    if row.distance:
        lines.append(ft.Text(row.distance, size=18, weight=ft.FontWeight.W_600, key=f"alert-distance-{row.id}"))
    lines += [
        ft.Text(row.until, size=SMALL_PX, color=MUTED),
        ft.Row(
            [
                ft.Text(_("Open the alert"), size=18, color=RED, weight=ft.FontWeight.W_600),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=RED, semantics_label=""),
            ],
            spacing=4,
        ),
    ]
    return ft.Container(
        key=f"alert-{row.id}",
        padding=12,
        bgcolor=ALERT_BG if row.unread else WARN_BG,
        border=ft.Border(left=ft.BorderSide(6, RED)),
        border_radius=8,
        ink=True,
        on_click=lambda e: app.open_alert(row.id),
        content=ft.Column(lines, spacing=4),
    )


@ft.component
def AlertTiles(app: AppState, board: AlertBoard) -> ft.Control:
    """`board` is passed on its own so that this part of home is redrawn when alerts come and go."""
    if not board.rows:
        return ft.Container(height=0, key="home-alerts-none")
    unread = board.unread
    heading = subheading(
        ngettext("Police alerts near you: {count} new", "Police alerts near you: {count} new", unread).format(
            count=unread
        )
        if unread
        else _("Police alerts near you")
    )
    heading.expand = True  # wraps beside the icon on a narrow phone
    return ft.Column(
        [
            ft.Row([ft.Icon(ft.Icons.CAMPAIGN, color=RED, size=28, semantics_label=""), heading], spacing=8),
            *[_tile(app, row) for row in board.rows],
        ],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        key="home-alerts",
    )
