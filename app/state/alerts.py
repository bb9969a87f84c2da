"""The police's alerts as the farmer sees them: on home nearest first, and one open on the alert screen.

Read from the phone's own database, so they show with no signal once pulled; an alert past its end by the phone's
clock is gone from the list at the next refresh even if the server has not said so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import flet as ft

from app.i18n import _, current_language
from app.store import Store
from app.store import alerts as alert_store
from core.geo import distance_m
from core.i18n import local_datetime
from wire.categories import Category


@dataclass(frozen=True)
class AlertRow:
    id: int
    title: str
    text: str
    category: str | None  # the category's label, as the farmer knows it
    category_code: str | None
    vehicle_registration: str | None
    distance: str  # "6 km from Manor Farm"; "" when no place is chosen
    distance_km: float | None
    until: str  # in UK time
    force: str
    unread: bool


def uk_time(iso: str) -> str:
    """A stored time as the farmer reads it: in UK time whatever the phone's zone."""
    return local_datetime(datetime.fromisoformat(iso), current_language(), "EEE dd MMM y, HH:mm")


def distance_words(km: float, place: str) -> str:
    if km < 1:
        return _("Less than 1 km from {place}").format(place=place)
    return _("{distance} km from {place}").format(distance=f"{km:.0f}", place=place)


def _row(
    alert: alert_store.StoredAlert, places: list[alert_store.ChosenPlace], labels: dict[str, Category]
) -> AlertRow:
    nearest = min(
        ((distance_m(alert.area_lat, alert.area_lon, p.lat, p.lon) / 1000, p.name) for p in places),
        default=None,
    )
    category = labels.get(alert.category or "")
    return AlertRow(
        id=alert.id,
        title=alert.title,
        text=alert.text,
        category=_(category.label) if category else alert.category,
        category_code=alert.category,
        vehicle_registration=alert.vehicle_registration,
        distance=distance_words(*nearest) if nearest else "",
        distance_km=nearest[0] if nearest else None,
        until=_("Until {time} (UK time)").format(time=uk_time(alert.expires_at)),
        force=alert.force,
        unread=alert.read_at is None,
    )


@ft.observable
@dataclass
class AlertBoard:
    _store: Store
    _clock: Callable[[], datetime]
    _labels: Callable[[], dict[str, Category]]
    _farm_name: Callable[[], str]
    rows: list[AlertRow] = field(default_factory=list)
    opened: AlertRow | None = None  # the alert on the alert screen

    @property
    def unread(self) -> int:
        return sum(row.unread for row in self.rows)

    def refresh(self) -> None:
        """Read the alerts again (after a sync pass, and on a timer for the ones that expire): nearest first."""
        now = self._clock()
        places = alert_store.chosen_places(self._store, self._farm_name())
        labels = self._labels()
        rows = [_row(a, places, labels) for a in alert_store.active_alerts(self._store, now)]
        rows.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0.0))
        if rows != self.rows:
            self.rows = rows
        if self.opened is not None:
            again = next((r for r in rows if r.id == self.opened.id), None)
            if again != self.opened:
                self.opened = again

    def open(self, alert_id: int) -> bool:
        """Show one alert and mark it read; False when it has gone (withdrawn or expired meanwhile)."""
        now = self._clock()
        if alert_store.get_alert(self._store, alert_id, now) is None:
            self.refresh()
            return False
        alert_store.mark_read(self._store, alert_id, now)
        self.refresh()
        self.opened = next((r for r in self.rows if r.id == alert_id), None)
        return self.opened is not None

    def mark_unread(self) -> None:
        if self.opened is not None:
            alert_store.mark_unread(self._store, self.opened.id)
            self.refresh()

    def close(self) -> None:
        self.opened = None
