"""First run: who the farmer is, so that the police can call back. Short, and sent when there is signal."""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState
from app.state.registration import RegistrationForm
from app.views.common import body, heading, primary_button, screen, text_field


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
            heading("Welcome to Hedgerow", key="register-title"),
            body(
                "Report rural crime in a few taps, even with no signal. "
                "Your details go only to the police in your area, so that they can call you back."
            ),
            field("name", "Your name", capitalization=ft.TextCapitalization.WORDS),
            field("phone", "Phone number", keyboard=ft.KeyboardType.PHONE),
            field("farm_name", "Farm name (optional)", capitalization=ft.TextCapitalization.WORDS),
            field("postcode", "Farm postcode", capitalization=ft.TextCapitalization.CHARACTERS),
            field(
                "server_url",
                "Hedgerow server address",
                keyboard=ft.KeyboardType.URL,
                helper="Leave as it is unless your police force gave you another",
            ),
        ],
        bottom=[primary_button("Save and start", lambda e: app.register(), key="register-save", big=True)],
        key="screen-register",
    )
