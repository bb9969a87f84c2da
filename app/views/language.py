"""The choice of Cymraeg or English: first on the first screen, and again on the settings screen."""

from __future__ import annotations

import flet as ft

from app.i18n import LANGUAGE_PROMPT
from app.state.app_state import AppState
from app.views.common import primary_button, secondary_button, stack, subheading
from core.i18n import LANGUAGE_NAMES, LANGUAGES

# Welsh before English, as the Welsh Language Standards ask of a bilingual choice.
_WELSH_FIRST = ("cy", "en")


def language_choice(app: AppState, prompt: str = LANGUAGE_PROMPT) -> ft.Control:
    """Two large buttons, Cymraeg first, each language's name in itself; the one in use is filled, ticked and said
    to be chosen. Pressing one redraws every screen in that language at once. One above the other: side by side,
    large text would not fit a phone's width."""

    def button(code: str) -> ft.Control:
        name = LANGUAGE_NAMES[code]  # type: ignore[index]
        chosen = code == app.language
        make = primary_button if chosen else secondary_button
        control = make(
            name,
            lambda e: app.choose_language(code),
            key=f"language-{code}",
            icon=ft.Icons.CHECK if chosen else None,
        )
        # A screen reader hears which is chosen, not only a change of colour.
        return ft.Semantics(selected=chosen, content=control)

    return ft.Semantics(
        container=True,
        content=stack(
            [subheading(prompt), *[button(code) for code in sorted(LANGUAGES, key=_WELSH_FIRST.index)]], spacing=8
        ),
    )
