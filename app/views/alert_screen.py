"""One police alert: what the police say, how far from the farmer's place, until when; "I've seen this"."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.alerts import AlertRow
from app.state.app_state import AppState
from app.views.common import (
    MUTED,
    RED,
    SMALL_PX,
    body,
    heading,
    primary_button,
    screen,
    secondary_button,
    stack,
    warning,
)


def _line(label: str, value: str, key: str) -> ft.Control:
    return ft.Column([ft.Text(label, size=SMALL_PX, color=MUTED), ft.Text(value, size=18, key=key)], spacing=0)


@ft.component
def AlertScreen(app: AppState, alert: AlertRow) -> ft.Control:
    controls: list[ft.Control] = [
        body(_("Police alert from {force}").format(force=alert.force), key="alert-force", color=RED),
        heading(alert.title, key="alert-title"),
        body(alert.text, key="alert-text"),
    ]
    facts = []
    if alert.distance:
        facts.append(_line(_("Where"), alert.distance, "alert-distance"))
    if alert.category:
        facts.append(_line(_("What"), alert.category, "alert-category"))
    if alert.vehicle_registration:
        facts.append(_line(_("Vehicle registration"), alert.vehicle_registration, "alert-vehicle"))
    facts.append(_line(_("Valid"), alert.until, "alert-until"))
    controls.append(stack(facts, spacing=8))
    if app.notice:
        controls.append(warning(app.notice, key="alert-notice"))
        if app.draft is not None:
            controls.append(
                secondary_button(
                    _("Carry on with your unfinished report"),
                    lambda e: app.start_report(),
                    key="alert-resume",
                    icon=ft.Icons.EDIT,
                )
            )
    controls += [
        body(_("Seen something? Tell the police through Hedgerow: your report is linked to this alert.")),
        primary_button(
            _("I've seen this"), lambda e: app.seen_alert(), key="alert-seen", icon=ft.Icons.VISIBILITY, big=True
        ),
        body(_("If someone is in danger or it is happening now, call 999."), color=RED),
        secondary_button(
            _("Mark as unread"), lambda e: app.mark_alert_unread(), key="alert-unread", icon=ft.Icons.MARK_EMAIL_UNREAD
        ),
    ]
    return screen(
        controls,
        bottom=[
            secondary_button(_("Back"), lambda e: app.close_alert(), key="alert-back", icon=ft.Icons.ARROW_BACK),
            primary_button(_("Call 999"), app.call_999, key="alert-call-999", icon=ft.Icons.CALL, danger=True),
        ],
        key="screen-alert",
    )
