"""Step 4: where. The phone's GPS with its accuracy, a saved farm place, or an OS grid reference."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.views.common import (
    GREEN,
    body,
    error_text,
    primary_button,
    secondary_button,
    stack,
    subheading,
    text_field,
    warning,
)


@ft.component
def LocationStep(app: AppState, draft: ReportDraft) -> ft.Control:
    place_name, set_place_name = ft.use_state("")
    loc = draft.location
    controls: list[ft.Control] = [error_text(m, key="location-error") for m in draft.errors.get("location", [])]
    if draft.no_location:
        return stack(controls + _described(draft))
    controls += [
        ft.Container(
            bgcolor="#EEF3EE",
            border_radius=8,
            padding=12,
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.PLACE, color=GREEN, size=32, semantics_label=_("Location")),
                    ft.Text(draft.location_summary(), size=18, expand=True, key="location-summary"),
                ]
            ),
        ),
        primary_button(
            _("Finding your position…") if draft.gps_busy else _("Use my position (GPS)"),
            draft.find_gps,
            key="location-gps",
            icon=ft.Icons.MY_LOCATION,
        ),
    ]
    if draft.gps_status:
        controls.append(
            warning(draft.gps_status, key="location-gps-status")
            if draft.gps_poor
            else body(draft.gps_status, key="location-gps-status", color=GREEN)
        )
    places = draft.places()
    if places:
        controls.append(subheading(_("Your places")))
        controls.append(
            ft.Row(
                [
                    secondary_button(
                        p.name,
                        lambda e, pid=p.id: draft.use_place(pid),
                        key=f"place-{p.id}",
                        icon=ft.Icons.BOOKMARK,
                        expand=False,
                    )
                    for p in places
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            )
        )
    controls += [
        subheading(_("Or a grid reference")),
        text_field(
            _("Grid reference"),
            draft.grid_ref_text,
            lambda e: draft.set_grid_ref_text(e.control.value),
            key="location-gridref",
            hint=_("e.g. SU 123 678"),
            error=draft.grid_ref_error,
            capitalization=ft.TextCapitalization.CHARACTERS,
            on_blur=lambda e: draft.use_grid_ref() if draft.grid_ref_text.strip() else None,
        ),
        secondary_button(
            _("Use grid reference"), lambda e: draft.use_grid_ref(), key="location-gridref-use", icon=ft.Icons.GRID_ON
        ),
        text_field(
            _("what3words (optional, kept as text)"),
            draft.what3words,
            lambda e: draft.set_what3words(e.control.value),
            key="location-w3w",
            hint="///filled.count.soap",
            error=draft.what3words_warning,
        ),
        secondary_button(
            _("I can't give a location"),
            lambda e: draft.cannot_give_location(),
            key="location-none",
            icon=ft.Icons.NOTES,
        ),
    ]
    if loc and loc.get("source") != "described":
        controls += [
            subheading(_("Save this place for next time")),
            text_field(
                _("Place name"),
                place_name,
                lambda e: set_place_name(e.control.value),
                key="location-place-name",
                hint=_("e.g. Top gate"),
            ),
            ft.Row(
                [secondary_button(_("Save place"), lambda e: draft.save_place(place_name), key="location-place-save")]
            ),
        ]
        if draft.place_message:
            controls.append(body(draft.place_message, key="location-place-message"))
    return stack(controls)


def _described(draft: ReportDraft) -> list[ft.Control]:
    """No position: the place in words, which the police read when they call back."""
    return [
        body(
            _("Describe the place so the police can find it: a road, a gate, a landmark, how far from the farm."),
            key="location-described-help",
        ),
        text_field(
            _("Where it happened, in words (required)"),
            draft.place_description,
            lambda e: draft.set_place_description(e.control.value),
            key="location-description",
            hint=_("e.g. the gateway on Mill Lane by the old barn"),
            multiline=True,
        ),
        secondary_button(
            _("Give a location after all"),
            lambda e: draft.give_location_after_all(),
            key="location-after-all",
            icon=ft.Icons.MY_LOCATION,
        ),
    ]
