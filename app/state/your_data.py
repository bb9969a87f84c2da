"""The "Your data" screen: download what the police's server holds about the farmer, delete everything on the
phone, and ask the police to erase the farmer's contact details. Each step that cannot be undone is asked first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import flet as ft

from app.i18n import N_, _, ngettext
from app.services import api
from app.store import Store, wipe
from app.store import profile as profile_store
from wire.farmer_data import ContactErasure

NOT_REGISTERED = N_(
    "This phone has not reached the police's server yet, so it holds nothing of yours. Try again once your "
    "details have been sent (see Sending)."
)
NO_SIGNAL = N_("The police's server cannot be reached just now. Try again where there is signal.")
REFUSED = N_("The police's server no longer knows this phone. Check your details on the Sending screen.")


def size_in_words(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    return f"{max(1, round(n / 1000))} KB"


def lost_in_words(unsent: wipe.Unsent) -> str:
    """What deleting now would lose that the police never got, said plainly (empty when nothing)."""
    parts = []
    if unsent.reports:
        lost = ngettext(
            "{count} report has not been sent yet: it will be lost, and the police will never get it.",
            "{count} reports have not been sent yet: they will be lost, and the police will never get them.",
            unsent.reports,
        )
        parts.append(lost.format(count=unsent.reports))
    if unsent.photos:
        never = ngettext(
            "{count} photo of sent reports will never reach the police.",
            "{count} photos of sent reports will never reach the police.",
            unsent.photos,
        )
        parts.append(never.format(count=unsent.photos))
    if unsent.draft:
        parts.append(_("The report you had started will be lost."))
    return " ".join(parts)


@ft.observable
@dataclass
class YourData:
    _store: Store
    _on_wiped: Callable[[], None]  # back to the first-run screen
    _on_contact_cleared: Callable[[], None]  # the profile on the phone changed
    _download: Callable[[str, str, Path], Awaitable[Path]] = api.download_export
    _erase: Callable[[str, str], Awaitable[ContactErasure]] = api.ask_erasure
    busy: str = ""  # what is under way, in words ("Downloading your data")
    confirm: str = ""  # "", "delete" or "erase": the question being asked
    lost: str = ""  # for "delete": what the police have not received and would be lost
    downloaded: str = ""
    download_problem: str = ""
    erased: str = ""  # the server's answer, as it said it
    erase_problem: str = ""
    outcomes: int = 0  # how many actions have ended: the screen opens at its top after each, to say how

    @property
    def exports_dir(self) -> Path:
        return self._store.data_dir / wipe.EXPORTS_DIR

    def _problem(self, exc: Exception) -> str:
        return _(REFUSED) if isinstance(exc, api.TokenRefused) else _(NO_SIGNAL)

    def _registration(self) -> tuple[str, str] | None:
        """The server and this phone's token, read when needed: the registration may go through (or the farmer
        change the server) while this screen is open."""
        profile = profile_store.load_profile(self._store)
        return (profile.server_url, profile.token) if profile and profile.token else None

    async def download(self) -> None:
        """Fetch the ZIP of everything the server holds about this phone, and say where it went and its size."""
        self.downloaded, self.download_problem, self.erased, self.erase_problem = "", "", "", ""
        registered = self._registration()
        if registered is None:
            self.download_problem = _(NOT_REGISTERED)
            self.outcomes += 1
            return
        self.busy = _("Downloading your data…")
        try:
            path = await self._download(*registered, self.exports_dir)
        except api.ServerUnavailable as exc:
            self.download_problem = self._problem(exc)
        else:
            self.downloaded = _(
                "Saved on this phone: {file} ({size}). "
                "It holds your details, your reports and your photos, with README.txt saying what each file is."
            ).format(file=path, size=size_in_words(path.stat().st_size))
        finally:
            self.busy = ""
            self.outcomes += 1

    def ask_delete(self) -> None:
        self.lost = lost_in_words(wipe.unsent(self._store))
        self.confirm = "delete"

    def ask_erase(self) -> None:
        self.confirm = "erase"

    def cancel(self) -> None:
        self.confirm, self.lost = "", ""

    def delete_everything(self) -> None:
        """Only once asked and confirmed: everything Hedgerow keeps on this phone goes."""
        if self.confirm != "delete":
            self.ask_delete()
            return
        wipe.wipe_phone(self._store)
        self.confirm = ""
        self._on_wiped()

    async def erase_contact(self) -> None:
        """Only once asked and confirmed: the police erase the farmer's contact details, and so does the phone."""
        if self.confirm != "erase":
            self.ask_erase()
            return
        self.confirm = ""
        self.downloaded, self.download_problem, self.erased, self.erase_problem = "", "", "", ""
        registered = self._registration()
        if registered is None:
            self.erase_problem = _(NOT_REGISTERED)
            self.outcomes += 1
            return
        self.busy = _("Asking the police to erase your contact details…")
        try:
            answer = await self._erase(*registered)
        except api.ServerUnavailable as exc:
            self.erase_problem = self._problem(exc)
        else:
            profile_store.clear_contact(self._store)
            self.erased = answer.message
            self._on_contact_cleared()
        finally:
            self.busy = ""
            self.outcomes += 1
