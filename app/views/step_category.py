"""Step 2: what happened, grouped as a farmer looks for it, with large icons."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.views.common import GREEN, INK, RED, body, stack, subheading
from wire.categories import Category


def _icon(name: str) -> ft.IconData:
    return getattr(ft.Icons, name.upper(), ft.Icons.REPORT)


def _tile(category: Category, selected: bool, on_click: ft.ControlEventHandler) -> ft.Control:
    fg = "#FFFFFF" if selected else INK
    return ft.Container(
        col={"xs": 6, "sm": 4, "md": 3},
        content=ft.Button(
            key=f"category-{category.code}",
            on_click=on_click,
            style=ft.ButtonStyle(
                bgcolor=GREEN if selected else "#EEF3EE",
                color=fg,
                shape=ft.RoundedRectangleBorder(radius=12),
                # At least 112 px tall, growing with its words (never a fixed height: large text would be cut).
                padding=ft.Padding.symmetric(horizontal=12, vertical=16),
            ),
            content=ft.Column(
                [
                    ft.Icon(_icon(category.icon), size=40, color=fg),
                    ft.Text(_(category.label), size=18, color=fg, text_align=ft.TextAlign.CENTER),
                ],
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                spacing=6,
            ),
        ),
    )


@ft.component
def CategoryStep(app: AppState, draft: ReportDraft) -> ft.Control:
    controls: list[ft.Control] = []
    for message in draft.errors.get("category", []):
        controls.append(body(message, color=RED))
    groups = list(dict.fromkeys(c.group for c in app.categories))
    for group in groups:
        controls.append(subheading(_(group)))
        controls.append(
            ft.ResponsiveRow(
                [
                    _tile(c, c.code == draft.category, lambda e, code=c.code: draft.choose_category(code))
                    for c in app.categories
                    if c.group == group
                ],
                spacing=8,
                run_spacing=8,
            )
        )
    return stack(controls)
