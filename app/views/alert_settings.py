"""The "Alerts" settings: opt in, the places alerts are about (the farm and saved places, each with a distance),
SMS and email as well, and in plain words what is sent: these places, roughly, never the phone's position."""

from __future__ import annotations

import flet as ft

from app.i18n import N_, _
from app.state.alert_settings import AlertSettingsForm, PlaceChoice
from app.state.app_state import AppState
from app.store.alerts import RADIUS_CHOICES_KM
from app.views.common import (
    GREEN,
    INK,
    MUTED,
    RED,
    SMALL_PX,
    TARGET_PX,
    body,
    checkbox,
    heading,
    primary_button,
    screen,
    secondary_button,
    stack,
    subheading,
    text_field,
)

PRIVACY = N_(
    "Only the places you choose here are sent to the Hedgerow server, and only roughly (to about 1 km), with the "
    "distance you chose. Your phone's position is never sent for alerts, and nobody can follow where you go."
)


def _choice_button(form: AlertSettingsForm, place: PlaceChoice, radius: float | None) -> ft.Control:
    chosen = place.radius_km == radius
    words = _("Off") if radius is None else _("{distance} km").format(distance=f"{radius:g}")

    def choose(e: ft.Event[ft.Control]) -> None:
        form.set_radius(place.key, radius)

    # One node for a screen reader, named with its place: "Manor Farm: 5 km", not four buttons each called "5 km".
    return ft.Semantics(
        label=_("{place}: {choice}").format(place=place.name, choice=words),
        button=True,
        selected=chosen,
        expand=True,
        exclude_semantics=True,
        on_tap=choose,
        content=ft.Button(
            content=ft.Text(words, size=18, weight=ft.FontWeight.W_600),
            key=f"radius-{place.key}-{'off' if radius is None else f'{radius:g}'}",
            on_click=choose,
            height=TARGET_PX,
            style=ft.ButtonStyle(
                bgcolor=GREEN if chosen else "#EEF3EE",
                color="#FFFFFF" if chosen else INK,
                padding=ft.Padding.symmetric(horizontal=4, vertical=8),
                shape=ft.RoundedRectangleBorder(radius=10),
            ),
        ),
    )


def _place(form: AlertSettingsForm, place: PlaceChoice) -> ft.Control:
    state = (
        _("No alerts about this place")
        if place.radius_km is None
        else _("Alerts within {distance} km").format(distance=f"{place.radius_km:g}")
    )
    return ft.Container(
        key=f"alert-place-{place.key}",
        padding=12,
        border=ft.Border.all(1, "#999999"),
        border_radius=8,
        content=stack(
            [
                ft.Text(place.name, size=20, weight=ft.FontWeight.W_600),
                ft.Text(place.where, size=SMALL_PX, color=MUTED),
                ft.Text(state, size=18, color=GREEN if place.radius_km else INK, key=f"alert-place-state-{place.key}"),
                ft.Row([_choice_button(form, place, r) for r in (None, *RADIUS_CHOICES_KM)], spacing=6),
            ],
            spacing=6,
        ),
    )


def _farm(form: AlertSettingsForm) -> list[ft.Control]:
    if form.farm is not None and not form.moving_farm:
        return [
            _place(form, form.farm),
            secondary_button(_("Change where the farm is"), lambda e: form.move_farm(), key="alerts-farm-move"),
        ]
    return [
        body(_("Where is your farm? Stand at the farm and press the button, or type the farm's grid reference.")),
        primary_button(
            _("I'm at the farm: use this position"),
            form.use_farm_position,
            key="alerts-farm-gps",
            icon=ft.Icons.MY_LOCATION,
        ),
        text_field(
            _("Farm grid reference"),
            form.farm_grid_ref_text,
            lambda e: form.set_farm_grid_ref_text(e.control.value or ""),
            key="alerts-farm-gridref",
            hint=_("For example TQ 123 456"),
        ),
        secondary_button(
            _("Use this grid reference"), lambda e: form.use_farm_grid_ref(), key="alerts-farm-use-gridref"
        ),
    ]


def _privacy() -> ft.Control:
    return ft.Container(
        key="alerts-privacy",
        padding=12,
        bgcolor="#EEF3EE",
        border_radius=8,
        content=ft.Row(
            [
                ft.Icon(ft.Icons.LOCK, color=GREEN, size=28, semantics_label=""),
                ft.Text(_(PRIVACY), size=18, color=INK, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


@ft.component
def AlertSettingsView(app: AppState, form: AlertSettingsForm) -> ft.Control:
    controls: list[ft.Control] = [
        heading(_("Alerts from the police"), key="alerts-title"),
        body(
            _(
                "The police can warn farmers near a crime, for example hare coursers seen on a lane or a stolen "
                "trailer. Alerts show at the top of your home screen."
            )
        ),
        checkbox(_("Send me alerts"), form.opted_in, form.set_opted_in, key="alerts-on"),
        _privacy(),
    ]
    if form.message:
        controls.append(body(form.message, key="alerts-message", color=GREEN))
    if form.problem:
        controls.append(body(form.problem, key="alerts-problem", color=RED))
    if form.opted_in:
        controls += [subheading(_("Your farm")), *_farm(form), subheading(_("Your saved places"))]
        if form.places:
            controls += [_place(form, p) for p in form.places]
        else:
            controls.append(body(_("None yet. Places you save while making a report show here."), color=MUTED))
        controls += [
            subheading(_("Tell me by text or email too")),
            checkbox(
                _("Text message to {phone}").format(phone=form.phone),
                form.sms,
                form.set_sms,
                "alerts-sms",
            ),
        ]
        if form.email_address:
            controls.append(
                checkbox(
                    _("Email to {address}").format(address=form.email_address),
                    form.email,
                    form.set_email,
                    "alerts-email",
                )
            )
        else:
            controls.append(body(_("Alerts by email need an email address in your details."), color=MUTED))
    if form.waiting:
        controls.append(body(_("Waiting to send your choices: they go when there is signal."), key="alerts-waiting"))
    elif form.opted_in and not form.problem:
        controls.append(body(_("Your choices are with the server."), key="alerts-sent", color=GREEN))
    return screen(
        controls,
        bottom=[
            secondary_button(
                _("Back"),
                lambda e: app.close_alert_settings(),
                key="alerts-back",
                icon=ft.Icons.ARROW_BACK,
            )
        ],
        key="screen-alert-settings",
    )
