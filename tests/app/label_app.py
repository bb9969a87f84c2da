"""Radios with a long label, as the screenshot check's test draws them: Flet's own one-line `label=`
(HEDGEROW_LABELS=flet), whose words run off the screen, or the app's `radio()` row (HEDGEROW_LABELS=app), which
wraps them. Run: python -m tests.app.label_app"""

from __future__ import annotations

import os

import flet as ft

from app.views.common import radio, theme

LONG = "Fe wnaethon nhw addo ffonio'n ôl cyn diwedd y dydd, ond ni ddaeth galwad o gwbl"


def main(page: ft.Page) -> None:
    page.theme = theme()
    page.bgcolor = "#FFFFFF"
    flet_labels = os.environ.get("HEDGEROW_LABELS", "flet") == "flet"
    choices = [("long", LONG), ("short", "Atebwyd")]
    rows = [
        ft.Radio(value=value, label=label) if flet_labels else radio(value, label, f"r-{value}", print)
        for value, label in choices
    ]
    page.add(ft.Text("Sut daeth i ben?", size=26), ft.RadioGroup(content=ft.Column(rows)))


if __name__ == "__main__":
    ft.run(main, no_cdn=True)
