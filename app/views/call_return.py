"""Back from a 101 call started on the home screen: how long was the wait, and how did it end?"""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS
from app.views.common import GREEN, body, choice_list, primary_button, secondary_button, stack, subheading, text_field


@ft.component
def CallReturnCard(app: AppState) -> ft.Control:
    call = app.pending_call or {}
    labels = {label: code for code, label in OUTCOME_LABELS.items()}
    # A bordered Container, not a Card: a Card joins its texts into one label, which reads as a single blur.
    return ft.Container(
        key="call-return",
        border=ft.Border.all(2, GREEN),
        border_radius=12,
        content=ft.Container(
            padding=16,
            content=stack(
                [
                    subheading("Your 101 call: how did it go?"),
                    body("It goes with your report, so that 101 waits can be counted."),
                    text_field(
                        "Minutes you waited (optional)",
                        call.get("waited_min", ""),
                        lambda e: app.set_call_answer("waited_min", e.control.value),
                        key="call-return-waited",
                        helper=f"It is {app.pending_call_minutes()} minutes since you pressed Call 101",
                        keyboard=ft.KeyboardType.NUMBER,
                    ),
                    choice_list(
                        "How did it end?",
                        tuple(labels),
                        OUTCOME_LABELS.get(call.get("outcome") or ""),
                        lambda e: app.set_call_answer("outcome", labels[e.control.value]),
                        key="call-return-outcome",
                    ),
                    text_field(
                        "Reference they gave you (optional)",
                        call.get("reference", ""),
                        lambda e: app.set_call_answer("reference", e.control.value),
                        key="call-return-reference",
                    ),
                    ft.Row(
                        [
                            primary_button(
                                "Save the call",
                                lambda e: app.record_call_outcome(),
                                key="call-return-save",
                                expand=True,
                            ),
                            secondary_button(
                                "I didn't call", lambda e: app.forget_call(), key="call-return-forget", expand=True
                            ),
                        ],
                        spacing=12,
                    ),
                ],
                spacing=12,
            ),
        ),
    )
