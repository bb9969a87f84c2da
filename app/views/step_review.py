"""Step 7: check and save. Saving is on the phone and immediate; sending happens when there is signal."""

from __future__ import annotations

import flet as ft

from app.i18n import _, ngettext
from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS, shown_value
from app.state.draft import STEP_TITLES, ReportDraft
from app.views.common import (
    GREEN,
    MUTED,
    RED,
    body,
    choices_of_two,
    error_text,
    primary_button,
    secondary_button,
    stack,
    subheading,
    warning,
)


def _line(label: str, value: str, key: str) -> ft.Control:
    return ft.Column(
        [ft.Text(label, size=16, color=MUTED), ft.Text(value or "—", size=18, key=key)],
        spacing=0,
    )


def _call_line(call: dict[str, str]) -> str:
    line = _("{number} at {time}").format(number=call["channel"], time=call["called_text"])
    if call.get("waited_min"):
        line += _(", waited {minutes} min").format(minutes=call["waited_min"])
    if call.get("outcome"):
        line += ", " + _(OUTCOME_LABELS.get(call["outcome"], call["outcome"]))
    if call.get("reference"):
        line += _(", reference {reference}").format(reference=call["reference"])
    return line


@ft.component
def ReviewStep(app: AppState, draft: ReportDraft) -> ft.Control:
    spec = draft.category_spec
    controls: list[ft.Control] = []
    problems = [(step, message) for step, messages in draft.errors.items() for message in messages]
    if problems:
        count = len(problems)
        controls.append(
            error_text(
                ngettext(
                    "Not saved yet: {count} thing to put right. Press the button under each to go to it.",
                    "Not saved yet: {count} things to put right. Press the button under each to go to it.",
                    count,
                ).format(count=count),
                key="review-problems",
            )
        )
    for number, (step, message) in enumerate(problems, start=1):
        # Text above its button, never side by side: a wrapping Row with an expanding child cannot be laid
        # out, and a release build draws that as a flat grey box.
        controls.append(
            ft.Container(
                key=f"review-problem-{number}",
                padding=12,
                border=ft.Border(left=ft.BorderSide(4, RED)),
                content=stack(
                    [
                        ft.Text(message, size=18, color=RED),
                        secondary_button(
                            _("Go to {step}").format(step=_(STEP_TITLES[step]) if step in STEP_TITLES else step),
                            lambda e, s=step: draft.go_to(s),
                            key=f"review-fix-{number}",
                        ),
                    ],
                    spacing=8,
                ),
            )
        )
    details = []
    if spec is not None:
        for f in spec.fields:
            value = draft.details.get(f.name)
            if value not in (None, "", [], False):
                details.append(_("{label}: {value}").format(label=_(f.label), value=shown_value(f, value)))
    vehicles = [v.get("registration") or v.get("make") or _("a vehicle") for v in draft.vehicles if any(v.values())]
    calls = [_call_line(c) for c in draft.calls]
    controls += [
        _line(_("What happened"), _(spec.label) if spec else "", "review-category"),
        _line(_("Happening now"), _("Yes") if draft.happening_now else _("No"), "review-now"),
        _line(_("When"), draft.occurred_text, "review-when"),
        _line(_("Where"), draft.location_summary(), "review-where"),
        _line(_("Photos"), str(len(draft.photos)), "review-photos"),
        _line(_("Details"), "; ".join(details), "review-details"),
        _line(_("Vehicles"), ", ".join(vehicles), "review-vehicles"),
        _line(_("Calls"), "; ".join(calls), "review-calls"),
        _line(_("Description"), draft.description, "review-description"),
    ]
    if spec is not None and spec.anonymous_offered:
        name = _("Not sent: the police will not see your name, phone or farm, and cannot call you back")
        sent = _("Sent with the report")
        controls.append(_line(_("Your name"), name if draft.anonymous else sent, "review-anonymous"))
    if draft.alert_id is not None:
        controls.append(_line(_("Answers the police alert"), draft.alert_title, "review-alert"))
    controls += [warning(w) for w in draft.photo_distance_warnings()]
    controls += [
        subheading(_("Saving")),
        body(_("The report is saved on this phone straight away and sent when there is signal."), color=GREEN),
        ft.Container(height=48),  # keeps "Discard" well away from the Save button below
        subheading(_("Don't want to send it?")),
    ]
    if app.confirm_discard:
        controls += [
            warning(
                _("Delete this report and its photos from the phone? This cannot be undone."), key="review-confirm"
            ),
            choices_of_two(
                secondary_button(_("Keep it"), lambda e: app.keep_report(), key="review-keep"),
                primary_button(_("Delete it"), lambda e: app.discard_report(), key="review-delete", danger=True),
            ),
        ]
    else:
        controls.append(
            secondary_button(
                _("Discard this report"),
                lambda e: app.ask_discard(),
                key="review-discard",
                icon=ft.Icons.DELETE_FOREVER,
            )
        )
    return stack(controls)
