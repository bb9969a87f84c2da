"""Building blocks every screen shares: large targets, large type, high contrast.

For a phone held in one hand outdoors, often in gloves or rain: every target at least 48 px (buttons here
are 56-72), no text under 16 px, dark green on white. Every control has a label a screen reader can say.
Nothing that holds text has a fixed height: with the phone's text at 200% a box grows with its words rather than
cutting them off (buttons and rows get their height from padding round their text, never from `height=`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app.i18n import _

GREEN = "#1B5E20"
RED = "#B71C1C"
INK = "#111111"
MUTED = "#333333"
WARN_BG = "#FFF3CD"
WARN_INK = "#5C3B00"
BODY_PX = 18
SMALL_PX = 16
TITLE_PX = 26
BUTTON_PX = 20
TARGET_PX = 56
BIG_TARGET_PX = 72
# Padding above and below a button's 28 px icon or text line: 16 makes it 60 px tall, 22 makes a big one 72.
BUTTON_PAD = 16
BIG_BUTTON_PAD = 22

Handler = Callable[..., Any]
# Async state methods are passed to controls as they are (bound, no arguments): Flet awaits a coroutine
# function, whereas a lambda around one would return an un-awaited coroutine.


def theme() -> ft.Theme:
    body = ft.TextStyle(size=BODY_PX, color=INK)
    return ft.Theme(
        # A phone's density everywhere: a browser on a desktop would otherwise get Flutter's compact density
        # (8 px less round every button's text), and the tests would not see what a farmer sees.
        visual_density=ft.VisualDensity.STANDARD,
        color_scheme_seed=GREEN,
        color_scheme=ft.ColorScheme(primary=GREEN, on_primary="#FFFFFF", error=RED, on_surface=INK),
        text_theme=ft.TextTheme(
            body_large=body,
            body_medium=body,
            body_small=ft.TextStyle(size=SMALL_PX, color=INK),
            label_large=ft.TextStyle(size=BUTTON_PX, weight=ft.FontWeight.W_600),
            label_medium=ft.TextStyle(size=SMALL_PX),
            label_small=ft.TextStyle(size=SMALL_PX),
            title_large=ft.TextStyle(size=TITLE_PX, weight=ft.FontWeight.BOLD, color=INK),
            title_medium=ft.TextStyle(size=BODY_PX, weight=ft.FontWeight.W_600, color=INK),
            title_small=ft.TextStyle(size=SMALL_PX, weight=ft.FontWeight.W_600, color=INK),
        ),
    )


def heading(text: str, key: str | None = None) -> ft.Control:
    return ft.Semantics(
        heading_level=1,
        content=ft.Text(text, size=TITLE_PX, weight=ft.FontWeight.BOLD, color=INK, key=key),
    )


def subheading(text: str) -> ft.Text:
    return ft.Text(text, size=BODY_PX + 2, weight=ft.FontWeight.W_600, color=INK)


def body(text: str, key: str | None = None, color: str = INK, size: int = BODY_PX) -> ft.Text:
    return ft.Text(text, size=size, color=color, key=key, selectable=False)


def error_text(text: str, key: str | None = None) -> ft.Control:
    """A problem the farmer must fix, in red, read out when it appears; it wraps, never cut off."""
    return ft.Semantics(live_region=True, content=ft.Text(text, size=BODY_PX, color=RED, key=key))


def warning(text: str, key: str | None = None) -> ft.Control:
    """A message the farmer should not miss, read out when it appears."""
    return ft.Semantics(
        live_region=True,
        content=ft.Container(
            key=key,
            bgcolor=WARN_BG,
            border_radius=8,
            padding=12,
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.WARNING_AMBER, color=WARN_INK, size=28, semantics_label=_("Warning")),
                    ft.Text(text, size=BODY_PX, color=WARN_INK, expand=True),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
        ),
    )


def _style(bg: str | None, fg: str, pad: int = BUTTON_PAD) -> ft.ButtonStyle:
    return ft.ButtonStyle(
        bgcolor=bg,
        color=fg,
        icon_color=fg,
        icon_size=28,
        text_style=ft.TextStyle(size=BUTTON_PX, weight=ft.FontWeight.W_600),
        padding=ft.Padding.symmetric(horizontal=20, vertical=pad),
        shape=ft.RoundedRectangleBorder(radius=12),
    )


def primary_button(
    label: str,
    on_click: Handler,
    key: str,
    icon: ft.IconData | None = None,
    danger: bool = False,
    big: bool = False,
    expand: bool = False,
) -> ft.FilledButton:
    return ft.FilledButton(
        content=label,
        icon=icon,
        on_click=on_click,
        key=key,
        style=_style(RED if danger else GREEN, "#FFFFFF", BIG_BUTTON_PAD if big else BUTTON_PAD),
        expand=expand or None,  # False would still be sent, and a Wrap cannot hold an "expanded" child
    )


def secondary_button(
    label: str, on_click: Handler, key: str, icon: ft.IconData | None = None, expand: bool = False
) -> ft.OutlinedButton:
    style = _style(None, GREEN)
    style.side = ft.BorderSide(2, GREEN)
    return ft.OutlinedButton(content=label, icon=icon, on_click=on_click, key=key, style=style, expand=expand or None)


def icon_button(
    icon: ft.IconData, label: str, on_click: Handler, key: str, color: str = INK, bgcolor: str | None = None
) -> ft.Control:
    """An icon-only button, 56 px, named by its icon's label: the button takes it as its own accessible name (a
    wrapper with the label would leave the button itself nameless, and Flutter reads a tooltip separately)."""
    return ft.IconButton(
        icon=ft.Icon(icon, size=28, color=color, semantics_label=label),
        bgcolor=bgcolor,
        on_click=on_click,
        key=key,
        width=TARGET_PX,
        height=TARGET_PX,
    )


def text_field(
    label: str,
    value: str,
    on_change: Handler,
    key: str,
    error: str | None = None,
    hint: str | None = None,
    helper: str | None = None,
    keyboard: ft.KeyboardType = ft.KeyboardType.TEXT,
    multiline: bool = False,
    on_blur: Handler | None = None,
    capitalization: ft.TextCapitalization | None = None,
) -> ft.TextField:
    return ft.TextField(
        # A label of its own, not the field's one-line label text: large text wraps rather than ending in "...".
        # A label of its own, not the field's one-line label text: large text wraps rather than ending in "...".
        label=ft.Text(label),
        value=value,
        on_change=on_change,
        on_blur=on_blur,
        key=key,
        error=error or None,
        # Messages wrap rather than end in "..." on a narrow phone.
        error_max_lines=4,
        helper_max_lines=3,
        hint_text=hint,
        helper=helper,
        keyboard_type=keyboard,
        multiline=multiline,
        min_lines=3 if multiline else None,
        max_lines=6 if multiline else 1,
        capitalization=capitalization,
        text_size=BODY_PX,
        # Flutter shrinks a floating label to 75%: 19 px stays above 14 px when it floats.
        label_style=ft.TextStyle(size=19),
        hint_style=ft.TextStyle(size=SMALL_PX, color=MUTED),
        helper_style=ft.TextStyle(size=SMALL_PX, color=MUTED),
        error_style=ft.TextStyle(size=SMALL_PX, color=RED),
        border={
            ft.ControlState.DEFAULT: ft.OutlineInputBorder(side=ft.BorderSide(1, MUTED)),
            ft.ControlState.FOCUSED: ft.OutlineInputBorder(side=ft.BorderSide(2, GREEN)),
        },
    )


def choice_list(
    label: str,
    choices: tuple[tuple[str, str], ...],
    value: str | None,
    on_choose: Callable[[str], Any],
    key: str,
) -> ft.Control:
    """One of several: radio buttons, each a full-width row of at least 48 px with its label. `choices` are
    (value, label) pairs: the value is what is kept, the label what the farmer reads, in their language."""
    return ft.Column(
        [
            subheading(label),
            ft.RadioGroup(
                key=key,
                value=value,
                on_change=lambda e: on_choose(e.control.value),
                content=ft.Column(
                    [radio(choice, shown, f"{key}-{choice}", on_choose) for choice, shown in choices], spacing=0
                ),
            ),
        ],
        spacing=4,
    )


def _labelled(control: ft.Control, label: str, on_tap: Handler) -> ft.Control:
    """A radio or tick box with its label beside it, as one thing: a screen reader hears one control named by the
    label, and a tap anywhere on the row works it. The row is at least 48 px tall and its label wraps, in any
    language and at any text size (Flet's own `label=` draws the label on one line that runs off the screen)."""
    return ft.MergeSemantics(
        content=ft.GestureDetector(
            on_tap=on_tap,
            exclude_from_semantics=True,  # the control's own action is the one a screen reader uses
            content=ft.Container(
                padding=ft.Padding.symmetric(vertical=4),
                content=ft.Row(
                    [control, ft.Text(label, size=BODY_PX, color=INK, expand=True)],
                    spacing=4,
                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                ),
            ),
        )
    )


def radio(value: str, label: str, key: str, on_choose: Callable[[str], Any]) -> ft.Control:
    """One radio button of a RadioGroup and its label; `on_choose(value)` is what the group's change calls too."""
    return _labelled(ft.Radio(value=value, key=key, active_color=GREEN), label, lambda e: on_choose(value))


def checkbox(label: str, value: bool, on_toggle: Callable[[bool], Any], key: str) -> ft.Control:
    """A tick box and its label; `on_toggle(ticked)` when it changes."""
    box = ft.Checkbox(value=value, key=key, active_color=GREEN, on_change=lambda e: on_toggle(bool(e.control.value)))
    return _labelled(box, label, lambda e: on_toggle(not value))


def choices_of_two(first: ft.Control, second: ft.Control) -> ft.Control:
    """Two answers, one above the other, each as wide as the screen: side by side, large text would break their
    words to fit half a phone's width."""
    return stack([first, second], spacing=12)


def stack(controls: list[ft.Control], spacing: int = 12) -> ft.Column:
    """Controls one above the other, each as wide as the screen allows (easy to hit with a thumb)."""
    return ft.Column(controls, spacing=spacing, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def screen(
    controls: list[ft.Control],
    bottom: list[ft.Control] | None = None,
    key: str | None = None,
    scroll_key: str | None = None,
) -> ft.Control:
    """A screen: its content scrolls, its main actions stay at the bottom within reach of a thumb.

    On a tablet or a desktop window the content keeps to a readable width in the middle. A new `scroll_key`
    makes a new scroll view, so that a new step opens at its top rather than where the last one was left.
    """
    width = {"xs": 12, "sm": 12, "md": 10, "lg": 7, "xl": 6}
    inner = stack(controls, spacing=16)
    content = ft.Column(
        [ft.ResponsiveRow([ft.Container(content=inner, col=width)], alignment=ft.MainAxisAlignment.CENTER)],
        scroll=ft.ScrollMode.AUTO,
        expand=True,
        key=scroll_key,
    )
    parts: list[ft.Control] = [
        ft.Container(expand=True, padding=ft.Padding.symmetric(horizontal=16, vertical=8), content=content)
    ]
    if bottom:
        parts.append(
            ft.Container(
                padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                border=ft.Border(top=ft.BorderSide(1, "#BBBBBB")),
                content=ft.ResponsiveRow(
                    [
                        ft.Container(
                            # Back at the left, the way on at the right; with large text the second goes under
                            # the first rather than squeezing both into half the width and breaking their words.
                            content=ft.Row(
                                bottom,
                                spacing=12,
                                run_spacing=8,
                                wrap=True,
                                alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                            ),
                            col=width,
                        )
                    ],
                    alignment=ft.MainAxisAlignment.CENTER,
                ),
            )
        )
    return ft.SafeArea(expand=True, content=ft.Column(parts, spacing=0, expand=True, key=key))
