"""Language and accessibility: the farmer's language, changeable at any time, and the accessibility statement."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.views.common import GREEN, body, heading, screen, secondary_button, subheading
from app.views.language import language_choice


@ft.component
def SettingsView(app: AppState) -> ft.Control:
    controls: list[ft.Control] = [
        heading(_("Language and accessibility"), key="settings-title"),
        language_choice(app, _("Language")),
    ]
    if app.language_notice:
        controls.append(body(app.language_notice, key="settings-notice", color=GREEN))
    controls += [
        subheading(_("Accessibility")),
        body(
            _(
                "Hedgerow should work with a screen reader, with large text and with one hand. "
                "The accessibility statement says how well it does, what does not work yet and how to tell us."
            )
        ),
        secondary_button(
            _("Read the accessibility statement"),
            app.open_accessibility_statement,
            key="settings-accessibility",
            icon=ft.Icons.OPEN_IN_NEW,
        ),
    ]
    return screen(
        controls,
        bottom=[
            secondary_button(_("Back"), lambda e: app.leave_report(), key="settings-back", icon=ft.Icons.ARROW_BACK)
        ],
        key="screen-settings",
    )
