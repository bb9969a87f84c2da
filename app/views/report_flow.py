"""The report, one step at a time, with Back and Next always within reach of a thumb."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.draft import STEP_TITLES, STEPS, ReportDraft
from app.views.common import GREEN, SMALL_PX, TITLE_PX, icon_button, primary_button, screen, secondary_button
from app.views.step_calls import CallsStep
from app.views.step_category import CategoryStep
from app.views.step_danger import DangerStep
from app.views.step_details import DetailsStep
from app.views.step_location import LocationStep
from app.views.step_photos import PhotosStep
from app.views.step_review import ReviewStep

_STEP_VIEWS: dict[str, Callable[..., ft.Control]] = {
    "danger": DangerStep,
    "category": CategoryStep,
    "photos": PhotosStep,
    "location": LocationStep,
    "details": DetailsStep,
    "calls": CallsStep,
    "review": ReviewStep,
}


def _top_bar(app: AppState, draft: ReportDraft) -> ft.Control:
    return ft.Row(
        [
            icon_button(ft.Icons.HOME, _("Home (the report is kept)"), lambda e: app.leave_report(), key="report-home"),
            ft.Column(
                [
                    ft.Text(
                        _("Step {number} of {total}").format(number=draft.step_number, total=len(STEPS)),
                        size=SMALL_PX,
                        color=GREEN,
                    ),
                    ft.Semantics(
                        heading_level=1,
                        content=ft.Text(
                            _(STEP_TITLES[draft.step]), size=TITLE_PX - 2, weight=ft.FontWeight.BOLD, key="step-title"
                        ),
                    ),
                ],
                spacing=0,
                expand=True,
            ),
        ]
    )


@ft.component
def ReportFlow(app: AppState, draft: ReportDraft) -> ft.Control:
    step_view = _STEP_VIEWS[draft.step]
    content = [_top_bar(app, draft), step_view(app, draft, key=f"step-{draft.step}")]
    bottom: list[ft.Control] = []
    if draft.step != "danger":
        bottom.append(
            secondary_button(_("Back"), lambda e: draft.previous_step(), key="step-back", icon=ft.Icons.ARROW_BACK)
        )
    if draft.step == "review":
        bottom.append(
            primary_button(_("Save report"), lambda e: app.save_report(), key="step-save", icon=ft.Icons.SAVE)
        )
    elif draft.step not in ("danger", "category"):
        bottom.append(
            primary_button(_("Next"), lambda e: draft.next_step(), key="step-next", icon=ft.Icons.ARROW_FORWARD)
        )
    # A new scroll view for each step, and after each failed save: the step, or the list of what to put right,
    # opens at its top.
    scroll_key = f"scroll-{draft.step}-{draft.save_attempts}"
    return screen(content, bottom=bottom or None, key="screen-report", scroll_key=scroll_key)
