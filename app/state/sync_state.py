"""What the sync screen and the home screen show of sending, and the farmer's controls over it.

The engine (app/sync/engine.py) runs in the background; this holds its latest status in plain words and
refreshes the report list when a pass ends, so that "Sent" and "Seen by police" appear without a tap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

import flet as ft

from app.i18n import _, ngettext, shown_time
from app.store import Store
from app.store import alerts as alert_store
from app.sync import records
from app.sync.engine import SyncEngine, SyncStatus


def _when(iso: str | None) -> str:
    return shown_time(iso) if iso else _("Not yet")


@ft.observable
@dataclass
class SyncState:
    _store: Store
    _engine: SyncEngine
    _tz: tzinfo
    _on_pass_end: Callable[[], None]
    waiting: str = ""
    anything_waiting: bool = False
    sending: str = ""
    progress: float | None = None
    last_sync: str = ""
    last_error: str = ""
    needs_registration: bool = False
    wifi_only: bool = False
    waiting_for_wifi: bool = False
    _unsubscribe: Callable[[], None] = lambda: None

    @classmethod
    def attach(
        cls,
        store: Store,
        engine: SyncEngine,
        tz: tzinfo,
        on_pass_end: Callable[[], None],
        schedule: Callable[[Callable[[], None]], None] | None = None,
    ) -> SyncState:
        """Show the engine's status from now on. `schedule` runs each change where this screen's changes are
        pushed (its own session's task); None runs it at once."""
        state = cls(_store=store, _engine=engine, _tz=tz, _on_pass_end=on_pass_end)
        state.wifi_only = bool(records.get(store, records.PHOTOS_WIFI_ONLY, False))
        state.show(engine.status)
        run = schedule or (lambda change: change())
        state._unsubscribe = engine.subscribe(lambda status: run(lambda: state.show(status)))
        return state

    def detach(self) -> None:
        """The screen closed (tab shut, app gone): stop hearing the engine."""
        self._unsubscribe()

    def show(self, status: SyncStatus) -> None:
        """The engine's status, in words (called by the engine at every change)."""
        w = records.waiting(self._store)
        parts = []
        if w.registrations:
            parts.append(_("your details"))
        if w.reports:
            parts.append(ngettext("{count} report", "{count} reports", w.reports).format(count=w.reports))
        if w.photos:
            size = (
                f"{w.photo_bytes / 1e6:.1f} MB" if w.photo_bytes >= 100_000 else f"{max(1, w.photo_bytes // 1000)} KB"
            )
            photos = ngettext("{count} photo ({size})", "{count} photos ({size})", w.photos)
            parts.append(photos.format(count=w.photos, size=size))
        if w.other:
            parts.append(ngettext("{count} message", "{count} messages", w.other).format(count=w.other))
        choices = alert_store.load_settings(self._store)
        if (choices.places_pending or choices.channels_pending) and not choices.problem:
            parts.append(_("your alert choices"))
        waiting = _("Waiting to send: {what}").format(what=", ".join(parts)) if parts else _("Nothing waiting")
        if w.needing_attention:
            waiting += _(". {count} need your attention (see your reports)").format(count=w.needing_attention)
        self.waiting = waiting
        self.anything_waiting = bool(parts or w.needing_attention)
        self.sending = status.sending or ""
        self.progress = status.photo_sent / status.photo_total if status.photo_total else None
        self.last_sync = _when(status.last_sync_at)
        self.last_error = status.last_error or ""
        self.needs_registration = status.needs_registration
        self.waiting_for_wifi = status.waiting_for_wifi
        if not status.running:
            self._on_pass_end()

    def refresh(self) -> None:
        """Say the current status again: in the language just chosen, or after something else changed what is
        waiting (the phone was wiped)."""
        self.show(self._engine.status)

    def sync_now(self) -> None:
        self._engine.backoff.reset()
        self._engine.trigger()

    def set_wifi_only(self, value: bool, now: datetime) -> None:
        records.put(self._store, records.PHOTOS_WIFI_ONLY, value, now)
        self.wifi_only = value
        self._engine.trigger()
