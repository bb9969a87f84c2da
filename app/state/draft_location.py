"""Step 4 of the draft: where it happened, from the GPS, a saved place or a grid reference."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.services.location import POOR_ACCURACY_M, Fix, NoFix, best_fix
from app.store import places as place_store
from core.geo import distance_m
from core.gridref import GridRefError, parse_grid_ref

if TYPE_CHECKING:
    from app.state.draft import ReportDraft

# A photo whose camera position is further than this from the report's location is pointed out.
PHOTO_FAR_M = 1000.0
_W3W = re.compile(r"^(///)?[a-z]+\.[a-z]+\.[a-z]+$")


class LocationSteps:
    async def find_gps(self: ReportDraft) -> None:
        """Take the best fix within about 20 seconds, showing the accuracy as it improves."""
        if self.gps_busy:
            return
        self.gps_busy = True
        self.gps_poor = False
        self.gps_status = _("Finding your position…")

        def show(fix: Fix) -> None:
            self.gps_status = _("Finding your position… ±{metres} m").format(metres=f"{fix.accuracy_m:.0f}")

        try:
            fix = await best_fix(
                self._ports.locator.position, on_fix=show, sleep=self._ports.sleep, monotonic=self._ports.monotonic
            )
        except NoFix:
            self.gps_poor = True
            self.gps_status = _("No position from the phone. Is location switched on? Use a grid reference instead.")
            return
        finally:
            self.gps_busy = False
        self.location = {"lat": fix.lat, "lon": fix.lon, "accuracy_m": round(fix.accuracy_m, 1), "source": "gps"}
        self._located()
        self.gps_poor = fix.poor
        metres = f"{fix.accuracy_m:.0f}"
        if fix.poor:
            self.gps_status = _(
                "Position only accurate to ±{metres} m (worse than {limit} m). "
                "Move into the open and try again, or type a grid reference."
            ).format(metres=metres, limit=f"{POOR_ACCURACY_M:.0f}")
        else:
            self.gps_status = _("Your position, accurate to ±{metres} m").format(metres=metres)
        self._save()

    def set_grid_ref_text(self: ReportDraft, text: str) -> None:
        self.grid_ref_text = text
        self.grid_ref_error = ""
        self._save()

    def use_grid_ref(self: ReportDraft) -> bool:
        try:
            ref = parse_grid_ref(self.grid_ref_text)
        except GridRefError as exc:
            self.grid_ref_error = exc.say(_)
            return False
        self.grid_ref_error = ""
        self.location = {
            "lat": ref.lat,
            "lon": ref.lon,
            "accuracy_m": ref.accuracy_m,
            "source": "grid_ref",
            "grid_ref": ref.formatted(),
        }
        self._located()
        self._save()
        return True

    def use_place(self: ReportDraft, place_id: int) -> None:
        place = next((p for p in place_store.list_places(self._store) if p.id == place_id), None)
        if place is None:
            raise KeyError(place_id)
        self.location = {
            "lat": place.lat,
            "lon": place.lon,
            "accuracy_m": place.accuracy_m,
            "source": "saved_place",
            "place_name": place.name,
            "grid_ref": place.grid_ref,
        }
        place_store.touch_place(self._store, place_id, self._ports.clock())
        self._located()
        self._save()

    def save_place(self: ReportDraft, name: str) -> bool:
        """Keep the current location under a name for next time."""
        if not self.location:
            self.place_message = _("Find the position first, then save it as a place")
            return False
        try:
            place = place_store.save_place(
                self._store,
                name,
                self.location["lat"],
                self.location["lon"],
                self.location.get("accuracy_m"),
                self.location.get("grid_ref"),
                self._ports.clock(),
            )
        except ValueError as exc:
            self.place_message = str(exc)
            return False
        self.place_message = _("Saved as “{name}”").format(name=place.name)
        self.location = {**self.location, "place_name": place.name}
        self._save()
        return True

    def _located(self: ReportDraft) -> None:
        """A real position replaces the place in words, and answers the step's question."""
        self.no_location = False
        self.errors = {k: v for k, v in self.errors.items() if k != "location"}

    def cannot_give_location(self: ReportDraft) -> None:
        """The farmer has no GPS fix, place or grid reference: the place in words instead, with the phone's best
        guess of a point (the place used last, or the last report's) so the report reaches the right force."""
        self.no_location = True
        self.location = None
        self.errors = {k: v for k, v in self.errors.items() if k != "location"}
        self._describe()

    def give_location_after_all(self: ReportDraft) -> None:
        self.no_location = False
        self.location = None
        self._save()

    def set_place_description(self: ReportDraft, text: str) -> None:
        self.place_description = text
        if text.strip():
            self.errors = {k: v for k, v in self.errors.items() if k != "location"}
        self._describe()

    def _describe(self: ReportDraft) -> None:
        guess = place_store.approximate_point(self._store)
        words = self.place_description.strip()
        self.location = (
            {"lat": guess[0], "lon": guess[1], "accuracy_m": None, "source": "described", "place_name": words[:200]}
            if guess and words
            else None
        )
        self._save()

    def location_problem(self: ReportDraft) -> str | None:
        """Why the farmer cannot leave the location step yet, or None."""
        if self.no_location:
            if not self.place_description.strip():
                return _("Describe the place in words, for example “the gateway on Mill Lane by the old barn”")
            if self.location is None:
                return _(
                    "Hedgerow needs a rough position once: use your GPS or a grid reference for this first report. "
                    "After that your place in words is enough."
                )
            return None
        if not self.location:
            return _(
                "Give a location: use your GPS, a saved place or a grid reference, or press “I can't give a location”"
            )
        return None

    def set_what3words(self: ReportDraft, text: str) -> None:
        self.set_text("what3words", text)

    @property
    def what3words_warning(self: ReportDraft) -> str:
        text = self.what3words.strip().lower()
        if text and not _W3W.match(text):
            return _("what3words addresses are three words with dots, like ///filled.count.soap")
        return ""

    def places(self: ReportDraft) -> list[place_store.Place]:
        return place_store.list_places(self._store)

    def location_summary(self: ReportDraft) -> str:
        loc: dict[str, Any] | None = self.location
        if not loc:
            return _("No place in words yet") if self.no_location else _("No location yet")
        where = f"{loc['lat']:.5f}, {loc['lon']:.5f}"
        if loc["source"] == "described":
            return _("In words: {place}").format(place=loc.get("place_name") or "")
        accuracy = f" ±{loc['accuracy_m']:.0f} m" if loc.get("accuracy_m") is not None else ""
        if loc["source"] == "grid_ref":
            return _("Grid reference {reference} ({where})").format(reference=loc["grid_ref"], where=where)
        if loc.get("place_name"):
            return f"{loc['place_name']} ({where}{accuracy})"
        return f"GPS {where}{accuracy}"

    def photo_distance_warnings(self: ReportDraft) -> list[str]:
        """Photos whose camera position is far from the report's location: maybe the wrong photo."""
        if not self.location:
            return []
        warnings = []
        for number, photo in enumerate(self.photos, start=1):
            if photo.gps_lat is None or photo.gps_lon is None:
                continue
            far = distance_m(self.location["lat"], self.location["lon"], photo.gps_lat, photo.gps_lon)
            if far > PHOTO_FAR_M + (self.location.get("accuracy_m") or 0):
                warnings.append(
                    _("Photo {number} was taken {km} km from this location. Is it the right photo?").format(
                        number=number, km=f"{far / 1000:.1f}"
                    )
                )
        return warnings
