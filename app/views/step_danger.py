"""Step 1: is it happening now, or is anyone in danger? Then 999 comes first; the report can follow."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.views.common import RED, body, primary_button, secondary_button, stack


@ft.component
def DangerStep(app: AppState, draft: ReportDraft) -> ft.Control:
    if draft.happening_now:
        called = any(c["channel"] == "999" for c in draft.calls)
        return stack(
            [
                body(_("Call 999 now. Hedgerow is not an emergency service."), color=RED, size=22),
                primary_button(
                    _("Call 999"),
                    draft.call_999,
                    key="danger-call-999",
                    icon=ft.Icons.CALL,
                    danger=True,
                    big=True,
                ),
                body(
                    _("When you are safe, carry on: the report will record that you called 999.")
                    if called
                    else _("You can carry on with the report afterwards; nothing is lost.")
                ),
                secondary_button(
                    _("Carry on with the report"),
                    lambda e: draft.go_to("category"),
                    key="danger-continue",
                    icon=ft.Icons.ARROW_FORWARD,
                ),
            ],
            spacing=16,
        )
    return stack(
        [
            body(_("Is it happening now, or is anyone in danger?"), size=22),
            primary_button(_("Yes"), lambda e: draft.answer_danger(True), key="danger-yes", danger=True, big=True),
            secondary_button(_("No"), lambda e: draft.answer_danger(False), key="danger-no"),
        ],
        spacing=16,
    )
