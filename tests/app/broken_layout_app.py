"""A Flet app with the layout error the review step once had (an expanding text inside a wrapping Row), so that
the screenshot check can be shown to catch what Flutter draws for it. Run: python -m tests.app.broken_layout_app"""

from __future__ import annotations

import os

import flet as ft


def main(page: ft.Page) -> None:
    page.bgcolor = "#FFFFFF"
    # HEDGEROW_BROKEN=0 draws the same screen laid out correctly, so a test can tell the two apart.
    broken = os.environ.get("HEDGEROW_BROKEN", "1") == "1"
    problem = ft.Text("Give a location", expand=broken)
    page.add(
        ft.Text("Check and save", size=26),
        ft.Row([problem, ft.OutlinedButton(content="Fix: Where?")], wrap=broken),
        ft.FilledButton(content="Save report", bgcolor="#1B5E20"),
        # A large plain panel, so that a screen drawn as it should be is plainly not blank.
        ft.Container(height=240, bgcolor="#EEF3EE", content=ft.Text("Photos", size=26)),
    )


if __name__ == "__main__":
    ft.run(main, no_cdn=True)
