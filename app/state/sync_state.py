"""What the sync screen and the home screen show of sending, and the farmer's controls over it.

The engine (app/sync/engine.py) runs in the background; this holds its latest status in plain words and
refreshes the report list when a pass ends, so that "Sent" and "Seen by police" appear without a tap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

import flet as ft

from app.store import Store
from app.store import alerts as alert_store
from app.sync import records
from app.sync.engine import SyncEngine, SyncStatus


def _when(iso: str | None, tz: tzinfo) -> str:
    if not iso:
        return "Not yet"
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%d %b %Y, %H:%M")


@ft.observable
@dataclass
class SyncState:
    _store: Store
    _engine: SyncEngine
    _tz: tzinfo
    _on_pass_end: Callable[[], None]
    waiting: str = "Nothing waiting"
    sending: str = ""
    progress: float | None = None
    last_sync: str = "Not yet"
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
            parts.append("your details")
        if w.reports:
            parts.append(f"{w.reports} report{'s' if w.reports != 1 else ''}")
        if w.photos:
            size = (
                f"{w.photo_bytes / 1e6:.1f} MB" if w.photo_bytes >= 100_000 else f"{max(1, w.photo_bytes // 1000)} KB"
            )
            parts.append(f"{w.photos} photo{'s' if w.photos != 1 else ''} ({size})")
        if w.other:
            parts.append(f"{w.other} message{'s' if w.other != 1 else ''}")
        choices = alert_store.load_settings(self._store)
        if (choices.places_pending or choices.channels_pending) and not choices.problem:
            parts.append("your alert choices")
        waiting = "Waiting to send: " + ", ".join(parts) if parts else "Nothing waiting"
        if w.needing_attention:
            waiting += f". {w.needing_attention} need your attention (see your reports)"
        self.waiting = waiting
        self.sending = status.sending or ""
        self.progress = status.photo_sent / status.photo_total if status.photo_total else None
        self.last_sync = _when(status.last_sync_at, self._tz)
        self.last_error = status.last_error or ""
        self.needs_registration = status.needs_registration
        self.waiting_for_wifi = status.waiting_for_wifi
        if not status.running:
            self._on_pass_end()

    def refresh(self) -> None:
        """Show the engine's status again, after something else changed what is waiting (the phone was wiped)."""
        self.show(self._engine.status)

    def sync_now(self) -> None:
        self._engine.backoff.reset()
        self._engine.trigger()

    def set_wifi_only(self, value: bool, now: datetime) -> None:
        records.put(self._store, records.PHOTOS_WIFI_ONLY, value, now)
        self.wifi_only = value
        self._engine.trigger()
