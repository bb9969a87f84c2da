"""Your data: a copy of everything the police's server holds about the farmer, deleting everything on this phone,
and asking the police to erase the farmer's contact details. What cannot be undone is asked first, in words."""

from __future__ import annotations

import flet as ft

from app.i18n import N_, _
from app.state.app_state import AppState
from app.state.your_data import YourData
from app.views.common import (
    BIG_TARGET_PX,
    GREEN,
    MUTED,
    Handler,
    body,
    error_text,
    heading,
    primary_button,
    screen,
    secondary_button,
    subheading,
    warning,
)

ABOUT_DOWNLOAD = N_(
    "Everything the police's Hedgerow server holds about you: your details, your reports as you see them, and your "
    "photos exactly as they were sent, in one ZIP file saved on this phone."
)
ABOUT_ERASURE = N_(
    "You can ask the police to erase your name, phone number, email, farm name and postcode. Your reports stay "
    "with them as police records, and their answers still come to this app, but they will not be able to call you."
)
ASK_ERASE = N_(
    "Erase your name, phone number, email, farm name and postcode from the police's records? They will not be "
    "able to call you back about any of your reports. This cannot be undone."
)
ABOUT_DELETE = N_(
    "Delete everything Hedgerow keeps on this phone: your details, your reports, photos and places. The police "
    "keep the reports they have received, but their answers will no longer reach this phone."
)
ASK_DELETE = N_("Delete everything Hedgerow keeps on this phone?")
# Each question's title, and its two answers: the safe one first.
QUESTIONS = {
    "erase": (N_("Erase your contact details?"), N_("Keep my details"), N_("Erase them")),
    "delete": (N_("Delete everything?"), N_("Keep everything"), N_("Delete everything")),
}


def _tall(button: ft.FilledButton | ft.OutlinedButton) -> ft.Control:
    """A button whose label takes two lines on a small phone: room for both (a button keeps the height it is
    given, and one sized by its words alone would be under 48 px)."""
    button.height = BIG_TARGET_PX
    return button


def _outcomes(data: YourData) -> list[ft.Control]:
    """What the last action did, at the top of the screen where the farmer looks once it is done."""
    controls: list[ft.Control] = []
    if data.downloaded:
        controls.append(body(data.downloaded, key="your-data-downloaded", color=GREEN))
    if data.download_problem:
        controls.append(error_text(data.download_problem, key="your-data-download-problem"))
    if data.erased:
        controls.append(body(data.erased, key="your-data-erased", color=GREEN))
    if data.erase_problem:
        controls.append(error_text(data.erase_problem, key="your-data-erase-problem"))
    return controls


def _sections(data: YourData) -> list[ft.Control]:
    return [
        subheading(_("A copy of your data")),
        body(_(ABOUT_DOWNLOAD)),
        primary_button(_("Download my data"), data.download, key="your-data-download", icon=ft.Icons.DOWNLOAD),
        ft.Divider(),
        subheading(_("Your contact details")),
        body(_(ABOUT_ERASURE)),
        _tall(
            secondary_button(
                _("Ask the police to erase my contact details"),
                lambda e: data.ask_erase(),
                key="your-data-erase",
                icon=ft.Icons.PERSON_REMOVE,
            )
        ),
        ft.Divider(),
        subheading(_("This phone")),
        body(_(ABOUT_DELETE)),
        _tall(
            secondary_button(
                _("Delete everything on this phone"),
                lambda e: data.ask_delete(),
                key="your-data-delete",
                icon=ft.Icons.DELETE_FOREVER,
            )
        ),
    ]


def _confirmation(data: YourData) -> ft.Control:
    """The question before a step that cannot be undone, on a screen of its own: nothing else to tap by mistake."""
    key = data.confirm
    title, keep, go = QUESTIONS[key]
    on_go: Handler
    if key == "erase":
        question, on_go = _(ASK_ERASE), data.erase_contact
    else:
        question = " ".join(part for part in (_(ASK_DELETE), data.lost, _("This cannot be undone.")) if part)
        on_go = data.delete_everything
    controls = [
        heading(_(title), key=f"your-data-{key}-title"),
        warning(question, key=f"your-data-{key}-question"),
        secondary_button(_(keep), lambda e: data.cancel(), key=f"your-data-{key}-cancel"),
        primary_button(_(go), on_go, key=f"your-data-{key}-confirm", danger=True),
    ]
    return screen(controls, key=f"screen-your-data-{key}", scroll_key=f"your-data-{key}")


@ft.component
def YourDataView(app: AppState, data: YourData) -> ft.Control:
    if data.confirm:
        return _confirmation(data)
    controls: list[ft.Control] = [heading(_("Your data"), key="your-data-title")]
    if data.busy:
        controls += [body(data.busy, key="your-data-busy", color=MUTED), ft.ProgressBar(color=GREEN)]
    controls += [*_outcomes(data), *_sections(data)]
    back = secondary_button(_("Back"), lambda e: app.leave_your_data(), key="your-data-back", icon=ft.Icons.ARROW_BACK)
    # A new scroll view for each outcome, so the screen opens at its top, where the outcome is said.
    return screen(controls, bottom=[back], key="screen-your-data", scroll_key=f"your-data-{data.outcomes}")
