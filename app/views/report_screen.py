"""One report: what the police have said, newest first, then what the farmer sent."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.report_detail import Entry, ReportDetail
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
    stack,
    subheading,
    warning,
)


def _entry(entry: Entry) -> ft.Control:
    title = [ft.Text(entry.title, size=18, weight=ft.FontWeight.W_600, color=GREEN if not entry.new else RED)]
    if entry.new:
        title.insert(0, ft.Text(_("New"), size=SMALL_PX, weight=ft.FontWeight.BOLD, color=RED, key=f"{entry.key}-new"))
    lines: list[ft.Control] = [
        ft.Row(title, spacing=8, wrap=True),
        ft.Text(entry.when, size=SMALL_PX, color=MUTED),
    ]
    if entry.text:
        lines.append(ft.Text(entry.text, size=18, key=f"{entry.key}-text"))
    return ft.Container(
        key=entry.key,
        padding=12,
        border=ft.Border(left=ft.BorderSide(4, RED if entry.new else GREEN)),
        content=ft.Column(lines, spacing=2),
    )


def _line(label: str, value: str, key: str) -> ft.Control:
    return ft.Column([ft.Text(label, size=SMALL_PX, color=MUTED), ft.Text(value, size=18, key=key)], spacing=0)


@ft.component
def ReportScreen(app: AppState, detail: ReportDetail) -> ft.Control:
    controls: list[ft.Control] = [
        heading(detail.title, key="detail-title"),
        body(detail.state, key="detail-state", color=GREEN),
    ]
    if detail.reference:
        controls.append(
            body(_("Crime reference: {reference}").format(reference=detail.reference), key="detail-reference")
        )
    if detail.problem:
        controls.append(warning(detail.problem, key="detail-problem"))
    if detail.notice:
        controls.append(body(detail.notice, key="detail-notice", color=GREEN))
    if detail.overdue:
        controls.append(
            primary_button(
                _("Chase the police"), lambda e: app.chase(detail.id), key="detail-chase", icon=ft.Icons.CAMPAIGN
            )
        )
    controls.append(subheading(_("What has happened")))
    controls += [_entry(e) for e in detail.entries]
    controls += [
        subheading(_("What you sent")),
        _line(_("When"), detail.occurred, "detail-when"),
        _line(_("Where"), detail.where, "detail-where"),
    ]
    if detail.description:
        controls.append(_line(_("What happened"), detail.description, "detail-description"))
    controls += [body(line, size=18) for line in detail.details]
    if detail.photos:
        controls.append(subheading(_("Photos")))
        controls += [body(line, key=f"detail-photo-{n}") for n, line in enumerate(detail.photos, start=1)]
    if detail.calls:
        controls.append(subheading(_("Calls you made")))
        controls += [body(line) for line in detail.calls]
    return screen(
        [stack(controls, spacing=12)],
        bottom=[
            secondary_button(
                _("Back to your reports"),
                lambda e: app.close_report(),
                key="detail-back",
                icon=ft.Icons.ARROW_BACK,
            )
        ],
        key="screen-detail",
    )
