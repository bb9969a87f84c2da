"""Back from a 101 call started on the home screen: how long was the wait, and how did it end?"""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS
from app.views.common import (
    GREEN,
    body,
    choice_list,
    choices_of_two,
    primary_button,
    secondary_button,
    stack,
    subheading,
    text_field,
)


@ft.component
def CallReturnCard(app: AppState) -> ft.Control:
    call = app.pending_call or {}
    outcomes = tuple((code, _(label)) for code, label in OUTCOME_LABELS.items())
    # A bordered Container, not a Card: a Card joins its texts into one label, which reads as a single blur.
    return ft.Container(
        key="call-return",
        border=ft.Border.all(2, GREEN),
        border_radius=12,
        content=ft.Container(
            padding=16,
            content=stack(
                [
                    subheading(_("Your 101 call: how did it go?")),
                    body(_("It goes with your report, so that 101 waits can be counted.")),
                    text_field(
                        _("Minutes you waited (optional)"),
                        call.get("waited_min", ""),
                        lambda e: app.set_call_answer("waited_min", e.control.value),
                        key="call-return-waited",
                        helper=_("It is {minutes} minutes since you pressed Call 101").format(
                            minutes=app.pending_call_minutes()
                        ),
                        keyboard=ft.KeyboardType.NUMBER,
                    ),
                    choice_list(
                        _("How did it end?"),
                        outcomes,
                        call.get("outcome") or None,
                        lambda chosen: app.set_call_answer("outcome", chosen),
                        key="call-return-outcome",
                    ),
                    text_field(
                        _("Reference they gave you (optional)"),
                        call.get("reference", ""),
                        lambda e: app.set_call_answer("reference", e.control.value),
                        key="call-return-reference",
                    ),
                    choices_of_two(
                        primary_button(_("Save the call"), lambda e: app.record_call_outcome(), key="call-return-save"),
                        secondary_button(_("I didn't call"), lambda e: app.forget_call(), key="call-return-forget"),
                    ),
                ],
                spacing=12,
            ),
        ),
    )
