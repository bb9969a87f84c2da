"""Step 7: check and save. Saving is on the phone and immediate; sending happens when there is signal."""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState
from app.state.build_report import OUTCOME_LABELS
from app.state.draft import STEP_TITLES, ReportDraft
from app.views.common import GREEN, MUTED, RED, body, secondary_button, stack, subheading, warning


def _line(label: str, value: str, key: str) -> ft.Control:
    return ft.Column(
        [ft.Text(label, size=16, color=MUTED), ft.Text(value or "—", size=18, key=key)],
        spacing=0,
    )


@ft.component
def ReviewStep(app: AppState, draft: ReportDraft) -> ft.Control:
    spec = draft.category_spec
    controls: list[ft.Control] = []
    for step, messages in draft.errors.items():
        for message in messages:
            controls.append(
                ft.Row(
                    [
                        ft.Text(message, size=18, color=RED, expand=True),
                        secondary_button(
                            f"Fix: {STEP_TITLES.get(step, step)}",
                            lambda e, s=step: draft.go_to(s),
                            key=f"review-fix-{step}",
                            expand=False,
                        ),
                    ],
                    wrap=True,
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
    controls += [warning(w) for w in draft.photo_distance_warnings()]
    controls += [
        subheading("Saving"),
        body("The report is saved on this phone straight away and sent when there is signal.", color=GREEN),
        secondary_button(
            "Discard this report", lambda e: app.discard_report(), key="review-discard", icon=ft.Icons.DELETE_FOREVER
        ),
    ]
    return stack(controls)
