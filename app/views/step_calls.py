"""Step 6: calls already made to 101 or 999: when, how long the wait, whether they gave up, the reference."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS
from app.state.draft import ReportDraft
from app.views.common import (
    body,
    choice_list,
    choices_of_two,
    error_text,
    primary_button,
    secondary_button,
    stack,
    subheading,
    text_field,
)

_CHANNELS = (("101", "101"), ("999", "999"))


def _call(index: int, call: dict[str, str], draft: ReportDraft) -> ft.Control:
    outcomes = tuple((code, _(label)) for code, label in OUTCOME_LABELS.items())
    number = index + 1
    return ft.Container(
        border=ft.Border.all(1, "#999999"),
        border_radius=8,
        padding=12,
        key=f"call-{index}",
        content=stack(
            [
                subheading(_("Call {number}").format(number=number)),
                choice_list(
                    _("Which number?"),
                    _CHANNELS,
                    call["channel"],
                    lambda chosen: draft.set_call(index, "channel", chosen),
                    key=f"call-{index}-channel",
                ),
                text_field(
                    _("When you called"),
                    call["called_text"],
                    lambda e: draft.set_call(index, "called_text", e.control.value),
                    key=f"call-{index}-when",
                    hint="23/11/2026 14:05",
                    error=draft.field_errors.get(f"call-{index}-when"),
                ),
                text_field(
                    _("Minutes you waited (optional)"),
                    call["waited_min"],
                    lambda e: draft.set_call(index, "waited_min", e.control.value),
                    key=f"call-{index}-waited",
                    keyboard=ft.KeyboardType.NUMBER,
                    error=draft.field_errors.get(f"call-{index}-waited"),
                    hint=_("e.g. 20"),
                ),
                choice_list(
                    _("How did it end?"),
                    outcomes,
                    call["outcome"] or None,
                    lambda chosen: draft.set_call(index, "outcome", chosen),
                    key=f"call-{index}-outcome",
                ),
                *(
                    [error_text(draft.field_errors[f"call-{index}-outcome"])]
                    if f"call-{index}-outcome" in draft.field_errors
                    else []
                ),
                text_field(
                    _("Reference they gave you (optional)"),
                    call["reference"],
                    lambda e: draft.set_call(index, "reference", e.control.value),
                    key=f"call-{index}-reference",
                ),
                secondary_button(
                    _("Remove call {number}").format(number=number),
                    lambda e: draft.remove_call(index),
                    key=f"call-{index}-remove",
                    icon=ft.Icons.DELETE,
                ),
            ],
            spacing=12,
        ),
    )


@ft.component
def CallsStep(app: AppState, draft: ReportDraft) -> ft.Control:
    controls: list[ft.Control] = [error_text(m) for m in draft.errors.get("calls", [])]
    controls.append(body(_("Have you already called 101 or 999?"), size=22))
    if draft.called_already is None or (draft.called_already is False and not draft.calls):
        controls.append(
            choices_of_two(
                primary_button(_("Yes"), lambda e: draft.answer_called(True), key="calls-yes"),
                secondary_button(_("No"), lambda e: draft.answer_called(False), key="calls-no"),
            )
        )
        if draft.called_already is False:
            controls.append(body(_("Fine: the report is enough. Press Next.")))
    else:
        controls += [_call(i, c, draft) for i, c in enumerate(draft.calls)]
        controls.append(
            secondary_button(
                _("Add another call"), lambda e: draft.add_call("101"), key="calls-add", icon=ft.Icons.ADD_CALL
            )
        )
    return stack(controls)
