"""The "Alerts" settings: opting in, the places alerts are wanted about (the farm and saved places, each with a
radius), and SMS or email as well. Each choice is kept on the phone at once and sent by the sync engine when there
is signal (app/sync/alerts.py), so a choice made in a field with no signal is not lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import flet as ft

from app.i18n import _
from app.services.location import NoFix, best_fix
from app.state.ports import Ports
from app.store import Store
from app.store import alerts as alert_store
from app.store import places as place_store
from core.gridref import GridRefError, grid_reference, parse_grid_ref
from wire.alerts import MAX_ALERT_PLACES

FARM = "farm"


@dataclass(frozen=True)
class PlaceChoice:
    key: str  # "farm", or "place-<id>" for a saved place
    name: str
    where: str  # the grid reference, as the farmer would check it
    radius_km: float | None  # None: no alerts about this place


def _where(lat: float, lon: float, grid_ref: str | None) -> str:
    ref = grid_ref or grid_reference(lat, lon, 6)
    return _("Grid reference {ref}").format(ref=ref) if ref else f"{lat:.3f}, {lon:.3f}"


@ft.observable
@dataclass
class AlertSettingsForm:
    _store: Store
    _ports: Ports
    _farm_name: str
    _changed: Callable[[], None]  # asks the sync engine to send the choice now
    phone: str = ""
    email_address: str | None = None
    opted_in: bool = False
    farm: PlaceChoice | None = None  # None until the farm's position is known
    places: list[PlaceChoice] = field(default_factory=list)
    sms: bool = False
    email: bool = False
    waiting: bool = False  # a choice the server has not taken yet
    problem: str = ""
    message: str = ""  # about the last thing the farmer did
    farm_grid_ref_text: str = ""
    gps_busy: bool = False
    moving_farm: bool = False  # asking where the farm is again

    @classmethod
    def open(
        cls,
        store: Store,
        ports: Ports,
        farm_name: str,
        phone: str,
        email_address: str | None,
        changed: Callable[[], None],
    ) -> AlertSettingsForm:
        form = cls(_store=store, _ports=ports, _farm_name=farm_name, _changed=changed)
        form.phone, form.email_address = phone, email_address
        form.reload()
        return form

    def reload(self) -> None:
        """Read the choices as stored (also after a sync pass: "waiting" turns to sent)."""
        settings = alert_store.load_settings(self._store)
        self.opted_in, self.sms, self.email = settings.opted_in, settings.sms, settings.email
        self.waiting = settings.places_pending or settings.channels_pending
        self.problem = settings.problem or ""
        self.farm = None
        if settings.farm_lat is not None and settings.farm_lon is not None:
            where = _where(settings.farm_lat, settings.farm_lon, settings.farm_grid_ref)
            self.farm = PlaceChoice(FARM, self._farm_name, where, settings.farm_radius_km)
        self.places = [
            PlaceChoice(f"place-{p.id}", p.name, _where(p.lat, p.lon, p.grid_ref), settings.places.get(p.id))
            for p in sorted(place_store.list_places(self._store), key=lambda p: p.name.lower())
        ]

    def _done(self, message: str = "") -> None:
        self.message = message
        self.moving_farm = False
        self.reload()
        self._changed()

    @property
    def chosen(self) -> int:
        return sum(1 for p in [self.farm, *self.places] if p is not None and p.radius_km is not None)

    # ----- choices

    def set_opted_in(self, on: bool) -> None:
        alert_store.set_opted_in(self._store, on, self._ports.clock())
        self._done("" if on else _("No more alerts. The alerts on this phone have been removed."))

    def set_radius(self, key: str, radius_km: float | None) -> None:
        """Alerts about a place within this distance of it, or none about it (None)."""
        current = next((p for p in [self.farm, *self.places] if p is not None and p.key == key), None)
        if current is None:
            raise KeyError(key)
        if current.radius_km is None and radius_km is not None and self.chosen >= MAX_ALERT_PLACES:
            self.message = _("Up to {count} places. Turn one off first.").format(count=MAX_ALERT_PLACES)
            return
        now = self._ports.clock()
        if key == FARM:
            alert_store.choose_farm(self._store, radius_km, now)
        else:
            alert_store.choose_place(self._store, int(key.removeprefix("place-")), radius_km, now)
        self._done()

    def move_farm(self) -> None:
        self.message = ""
        self.moving_farm = True

    def set_farm_grid_ref_text(self, text: str) -> None:
        self.farm_grid_ref_text = text

    def use_farm_grid_ref(self) -> bool:
        try:
            ref = parse_grid_ref(self.farm_grid_ref_text)
        except GridRefError as exc:
            self.message = exc.say(_)
            return False
        alert_store.set_farm(self._store, ref.lat, ref.lon, ref.formatted(), self._ports.clock())
        self.farm_grid_ref_text = ""
        self._done(_("Your farm is at {ref}.").format(ref=ref.formatted()))
        return True

    async def use_farm_position(self) -> None:
        """The farmer is at the farm and says so: this position is kept as the farm's (and sent only rounded)."""
        if self.gps_busy:
            return
        self.gps_busy = True
        self.message = _("Finding your position…")
        try:
            fix = await best_fix(self._ports.locator.position, sleep=self._ports.sleep, monotonic=self._ports.monotonic)
        except NoFix:
            self.message = _("No position from the phone. Is location switched on? Type a grid reference instead.")
            return
        finally:
            self.gps_busy = False
        alert_store.set_farm(self._store, fix.lat, fix.lon, None, self._ports.clock())
        self._done(_("Your farm's position is saved on this phone."))

    def set_sms(self, on: bool) -> None:
        alert_store.set_channels(self._store, on, self.email, self._ports.clock())
        self._done()

    def set_email(self, on: bool) -> None:
        if on and not self.email_address:
            self.message = _("Alerts by email need an email address in your details.")
            return
        alert_store.set_channels(self._store, self.sms, on, self._ports.clock())
        self._done()
