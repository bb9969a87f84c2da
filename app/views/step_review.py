"""Step 7: check and save. Saving is on the phone and immediate; sending happens when there is signal."""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS
from app.state.draft import STEP_TITLES, ReportDraft
from app.views.common import (
    GREEN,
    MUTED,
    RED,
    body,
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


@ft.component
def ReviewStep(app: AppState, draft: ReportDraft) -> ft.Control:
    spec = draft.category_spec
    controls: list[ft.Control] = []
    problems = [(step, message) for step, messages in draft.errors.items() for message in messages]
    if problems:
        count = len(problems)
        controls.append(
            error_text(
                f"Not saved yet: {count} thing{'s' if count != 1 else ''} to put right. "
                "Press the button under each to go to it.",
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
                            f"Go to {STEP_TITLES.get(step, step)}",
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
                shown = ", ".join(value) if isinstance(value, list) else "yes" if value is True else str(value)
                details.append(f"{f.label}: {shown}")
    vehicles = [v.get("registration") or v.get("make") or "a vehicle" for v in draft.vehicles if any(v.values())]
    calls = [
        f"{c['channel']} at {c['called_text']}"
        + (f", waited {c['waited_min']} min" if c.get("waited_min") else "")
        + f", {OUTCOME_LABELS.get(c['outcome'], c['outcome'])}"
        + (f", reference {c['reference']}" if c.get("reference") else "")
        for c in draft.calls
    ]
    controls += [
        _line("What happened", spec.label if spec else "", "review-category"),
        _line("Happening now", "Yes" if draft.happening_now else "No", "review-now"),
        _line("When", draft.occurred_text, "review-when"),
        _line("Where", draft.location_summary(), "review-where"),
        _line("Photos", str(len(draft.photos)), "review-photos"),
        _line("Details", "; ".join(details), "review-details"),
        _line("Vehicles", ", ".join(vehicles), "review-vehicles"),
        _line("Calls", "; ".join(calls), "review-calls"),
        _line("Description", draft.description, "review-description"),
    ]
    if spec is not None and spec.anonymous_offered:
        name = "Not sent: the police will not see your name, phone or farm, and cannot call you back"
        controls.append(_line("Your name", name if draft.anonymous else "Sent with the report", "review-anonymous"))
    if draft.alert_id is not None:
        controls.append(_line("Answers the police alert", draft.alert_title, "review-alert"))
    controls += [warning(w) for w in draft.photo_distance_warnings()]
    controls += [
        subheading("Saving"),
        body("The report is saved on this phone straight away and sent when there is signal.", color=GREEN),
        ft.Container(height=48),  # keeps "Discard" well away from the Save button below
        subheading("Don't want to send it?"),
    ]
    if app.confirm_discard:
        controls += [
            warning("Delete this report and its photos from the phone? This cannot be undone.", key="review-confirm"),
            ft.Row(
                [
                    secondary_button("Keep it", lambda e: app.keep_report(), key="review-keep", expand=True),
                    primary_button(
                        "Delete it", lambda e: app.discard_report(), key="review-delete", danger=True, expand=True
                    ),
                ],
                spacing=12,
            ),
        ]
    else:
        controls.append(
            secondary_button(
                "Discard this report", lambda e: app.ask_discard(), key="review-discard", icon=ft.Icons.DELETE_FOREVER
            )
        )
    return stack(controls)
