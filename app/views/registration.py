"""First run: the language first, then who the farmer is, so that the police can call back. Short, and sent when
there is signal."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.registration import RegistrationForm
from app.views.common import body, heading, primary_button, screen, text_field
from app.views.language import language_choice


@ft.component
def RegistrationView(app: AppState, form: RegistrationForm) -> ft.Control:
    def field(name: str, label: str, **kw: object) -> ft.TextField:
        return text_field(
            label,
            getattr(form, name),
            lambda e: form.set_field(name, e.control.value),
            key=f"register-{name}",
            error=form.errors.get(name),
            **kw,  # type: ignore[arg-type]
        )

    return screen(
        [
            # Before anything else, in both languages: the rest of the screen follows the choice at once.
            language_choice(app),
            heading(_("Welcome to Hedgerow"), key="register-title"),
            body(
                _(
                    "Report rural crime in a few taps, even with no signal. "
                    "Your details go only to the police in your area, so that they can call you back."
                )
            ),
            field("name", _("Your name"), capitalization=ft.TextCapitalization.WORDS),
            field("phone", _("Phone number"), keyboard=ft.KeyboardType.PHONE),
            field("farm_name", _("Farm name (optional)"), capitalization=ft.TextCapitalization.WORDS),
            field("postcode", _("Farm postcode"), capitalization=ft.TextCapitalization.CHARACTERS),
            field(
                "server_url",
                _("Hedgerow server address"),
                keyboard=ft.KeyboardType.URL,
                helper=_("Leave as it is unless your police force gave you another"),
            ),
        ],
        bottom=[primary_button(_("Save and start"), lambda e: app.register(), key="register-save", big=True)],
        key="screen-register",
    )
