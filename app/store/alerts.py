"""Alerts from the police as pulled, and what the farmer chose about them (issue 19).

Alerts are kept so that they show with no signal once pulled; they go when the server says they are withdrawn or
expired, and when the phone's own clock passes their end. The chosen places change a version number: the sync
engine sends the places while the version is ahead of the one the server last took, so a choice made with no
signal is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.store.db import Store
from wire.alerts import AlertPublic

RADIUS_CHOICES_KM = (5.0, 10.0, 20.0)
DEFAULT_RADIUS_KM = 10.0
_ALERT_COLUMNS = (
    "id, force, title, text, category, vehicle_registration, area_lat, area_lon, area_radius_km, issued_at, "
    "updated_at, expires_at, photo_url, read_at"
)


def utc_text(moment: datetime) -> str:
    """One fixed form for stored times, so that comparing the text compares the times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@dataclass(frozen=True)
class StoredAlert:
    id: int
    force: str
    title: str
    text: str
    category: str | None
    vehicle_registration: str | None
    area_lat: float
    area_lon: float
    area_radius_km: float
    issued_at: str
    updated_at: str
    expires_at: str
    photo_url: str | None
    read_at: str | None


@dataclass(frozen=True)
class AlertSettings:
    opted_in: bool = False
    farm_lat: float | None = None
    farm_lon: float | None = None
    farm_grid_ref: str | None = None
    farm_radius_km: float | None = None  # None: the farm is not one of the alert places
    sms: bool = False
    email: bool = False
    places: dict[int, float] = field(default_factory=dict)  # saved place id -> radius (km)
    places_pending: bool = False  # a change the server has not taken yet
    channels_pending: bool = False
    problem: str | None = None  # why the server would not take the places or the channels, in its words

    @property
    def farm_known(self) -> bool:
        return self.farm_lat is not None and self.farm_lon is not None


# ----- alerts


def store_pull(
    store: Store, alerts: list[AlertPublic], withdrawn: list[int], cursor: str, full: bool, now: datetime
) -> int:
    """Keep one pull's answer, in one transaction with its cursor: new and changed alerts in, withdrawn and expired
    ones out, and after a full pull (no cursor) every alert the server no longer lists. Returns how many alerts are
    new to the phone or changed (unread again)."""
    fresh = 0
    with store.write() as db:
        for alert in alerts:
            updated = utc_text(alert.updated_at)
            row = db.execute("SELECT updated_at FROM alerts WHERE id = ?", [alert.id]).fetchone()
            fresh += row is None or row[0] != updated
            db.execute(
                "INSERT INTO alerts (id, force, title, text, category, vehicle_registration, area_lat, area_lon, "
                "area_radius_km, issued_at, updated_at, expires_at, photo_url, pulled_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "force = excluded.force, title = excluded.title, text = excluded.text, category = excluded.category, "
                "vehicle_registration = excluded.vehicle_registration, area_lat = excluded.area_lat, "
                "area_lon = excluded.area_lon, area_radius_km = excluded.area_radius_km, "
                "issued_at = excluded.issued_at, expires_at = excluded.expires_at, photo_url = excluded.photo_url, "
                "pulled_at = excluded.pulled_at, "
                # Changed by the police since the farmer read it: unread again.
                "read_at = CASE WHEN alerts.updated_at = excluded.updated_at THEN alerts.read_at END, "
                "updated_at = excluded.updated_at",
                [
                    alert.id,
                    alert.force,
                    alert.title,
                    alert.text,
                    alert.category,
                    alert.vehicle_registration,
                    alert.area.lat,
                    alert.area.lon,
                    alert.area.radius_km,
                    utc_text(alert.issued_at),
                    updated,
                    utc_text(alert.expires_at),
                    alert.photo_url,
                    utc_text(now),
                ],
            )
        if full:
            kept = [a.id for a in alerts]
            db.execute(f"DELETE FROM alerts WHERE id NOT IN ({','.join('?' * len(kept))})", kept)
        if withdrawn:
            db.execute(f"DELETE FROM alerts WHERE id IN ({','.join('?' * len(withdrawn))})", withdrawn)
        db.execute("DELETE FROM alerts WHERE expires_at <= ?", [utc_text(now)])
        _ensure_settings(db, now)
        db.execute("UPDATE alert_settings SET cursor = ? WHERE id = 1", [cursor])
    return fresh


def active_alerts(store: Store, now: datetime) -> list[StoredAlert]:
    """The alerts still in force by the phone's clock, newest first."""
    with store.read() as db:
        rows = db.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE expires_at > ? ORDER BY issued_at DESC, id DESC",
            [utc_text(now)],
        ).fetchall()
    return [StoredAlert(**dict(r)) for r in rows]


def get_alert(store: Store, alert_id: int, now: datetime) -> StoredAlert | None:
    """The alert, unless it is gone or has expired by the phone's clock."""
    with store.read() as db:
        row = db.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = ? AND expires_at > ?", [alert_id, utc_text(now)]
        ).fetchone()
    return StoredAlert(**dict(row)) if row else None


def mark_read(store: Store, alert_id: int, now: datetime) -> None:
    with store.write() as db:
        db.execute("UPDATE alerts SET read_at = ? WHERE id = ? AND read_at IS NULL", [utc_text(now), alert_id])


def mark_unread(store: Store, alert_id: int) -> None:
    with store.write() as db:
        db.execute("UPDATE alerts SET read_at = NULL WHERE id = ?", [alert_id])


def alerts_cursor(store: Store) -> str | None:
    """Where the last pull ended; None asks the server for every alert that reaches this phone."""
    with store.read() as db:
        row = db.execute("SELECT cursor FROM alert_settings WHERE id = 1").fetchone()
    return row[0] if row else None


def reset_cursor(store: Store) -> None:
    with store.write() as db:
        db.execute("UPDATE alert_settings SET cursor = NULL WHERE id = 1")


# ----- the farmer's choices


def _ensure_settings(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    db.execute("INSERT INTO alert_settings (id, updated_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", [utc_text(now)])


def load_settings(store: Store) -> AlertSettings:
    with store.read() as db:
        row = db.execute(
            "SELECT opted_in, farm_lat, farm_lon, farm_grid_ref, farm_radius_km, sms, email, places_version, "
            "places_sent_version, channels_version, channels_sent_version, problem FROM alert_settings WHERE id = 1"
        ).fetchone()
        places = dict(db.execute("SELECT place_id, radius_km FROM alert_places").fetchall())
    if row is None:
        return AlertSettings()
    return AlertSettings(
        opted_in=bool(row["opted_in"]),
        farm_lat=row["farm_lat"],
        farm_lon=row["farm_lon"],
        farm_grid_ref=row["farm_grid_ref"],
        farm_radius_km=row["farm_radius_km"],
        sms=bool(row["sms"]),
        email=bool(row["email"]),
        places={int(k): float(v) for k, v in places.items()},
        places_pending=row["places_version"] > row["places_sent_version"],
        channels_pending=row["channels_version"] > row["channels_sent_version"],
        problem=row["problem"],
    )


def _places_changed(db, now: datetime) -> None:  # type: ignore[no-untyped-def]
    db.execute(
        "UPDATE alert_settings SET places_version = places_version + 1, problem = NULL, updated_at = ? WHERE id = 1",
        [utc_text(now)],
    )


def set_opted_in(store: Store, opted_in: bool, now: datetime) -> None:
    """Opting out sends an empty list (the server forgets the places) and forgets the alerts on the phone."""
    with store.write() as db:
        _ensure_settings(db, now)
        db.execute("UPDATE alert_settings SET opted_in = ? WHERE id = 1", [int(opted_in)])
        _places_changed(db, now)
        if not opted_in:
            db.execute("DELETE FROM alerts")
            db.execute("UPDATE alert_settings SET cursor = NULL WHERE id = 1")


def set_farm(store: Store, lat: float, lon: float, grid_ref: str | None, now: datetime) -> None:
    """Where the farm is: kept on the phone as given, sent only rounded."""
    with store.write() as db:
        _ensure_settings(db, now)
        db.execute(
            "UPDATE alert_settings SET farm_lat = ?, farm_lon = ?, farm_grid_ref = ?, "
            "farm_radius_km = COALESCE(farm_radius_km, ?) WHERE id = 1",
            [lat, lon, grid_ref, DEFAULT_RADIUS_KM],
        )
        _places_changed(db, now)


def choose_farm(store: Store, radius_km: float | None, now: datetime) -> None:
    """The farm as an alert place with this radius, or not at all (None)."""
    _check_radius(radius_km)
    with store.write() as db:
        _ensure_settings(db, now)
        db.execute("UPDATE alert_settings SET farm_radius_km = ? WHERE id = 1", [radius_km])
        _places_changed(db, now)


def choose_place(store: Store, place_id: int, radius_km: float | None, now: datetime) -> None:
    """A saved place as an alert place with this radius, or not at all (None)."""
    _check_radius(radius_km)
    with store.write() as db:
        _ensure_settings(db, now)
        if radius_km is None:
            db.execute("DELETE FROM alert_places WHERE place_id = ?", [place_id])
        else:
            if db.execute("SELECT 1 FROM places WHERE id = ?", [place_id]).fetchone() is None:
                raise KeyError(place_id)
            db.execute(
                "INSERT INTO alert_places (place_id, radius_km, chosen_at) VALUES (?, ?, ?) "
                "ON CONFLICT (place_id) DO UPDATE SET radius_km = excluded.radius_km",
                [place_id, radius_km, utc_text(now)],
            )
        _places_changed(db, now)


def set_channels(store: Store, sms: bool, email: bool, now: datetime) -> None:
    with store.write() as db:
        _ensure_settings(db, now)
        db.execute(
            "UPDATE alert_settings SET sms = ?, email = ?, channels_version = channels_version + 1, problem = NULL, "
            "updated_at = ? WHERE id = 1",
            [int(sms), int(email), utc_text(now)],
        )


def _check_radius(radius_km: float | None) -> None:
    if radius_km is not None and radius_km not in RADIUS_CHOICES_KM:
        raise ValueError(f"choose {', '.join(f'{r:g}' for r in RADIUS_CHOICES_KM)} km")


@dataclass(frozen=True)
class ChosenPlace:
    """An alert place with the name the farmer knows it by, at full precision (it stays on the phone)."""

    name: str
    lat: float
    lon: float
    radius_km: float


def chosen_places(store: Store, farm_name: str) -> list[ChosenPlace]:
    """The farm (when it is placed and chosen), then the chosen saved places, by name."""
    settings = load_settings(store)
    chosen = []
    if settings.farm_known and settings.farm_radius_km is not None:
        assert settings.farm_lat is not None and settings.farm_lon is not None
        chosen.append(ChosenPlace(farm_name, settings.farm_lat, settings.farm_lon, settings.farm_radius_km))
    with store.read() as db:
        rows = db.execute(
            "SELECT p.name, p.lat, p.lon, a.radius_km FROM alert_places a JOIN places p ON p.id = a.place_id "
            "ORDER BY p.name"
        ).fetchall()
    chosen += [ChosenPlace(r[0], r[1], r[2], r[3]) for r in rows]
    return chosen


def places_to_send(store: Store) -> tuple[int, list[ChosenPlace]] | None:
    """The version of the places the server has not taken yet and what to send for it ([] when opted out), or
    None when the server is up to date."""
    with store.read() as db:
        row = db.execute(
            "SELECT places_version, places_sent_version, opted_in FROM alert_settings WHERE id = 1"
        ).fetchone()
    if row is None or row[0] <= row[1]:
        return None
    return row[0], chosen_places(store, "farm") if row[2] else []


def places_sent(store: Store, version: int, now: datetime) -> None:
    """The server took the places of `version`: the next pull is a full one, since alerts that were already
    active at a new place have not changed since the old cursor."""
    with store.write() as db:
        db.execute(
            "UPDATE alert_settings SET places_sent_version = max(places_sent_version, ?), cursor = NULL, "
            "problem = NULL, updated_at = ? WHERE id = 1",
            [version, utc_text(now)],
        )


def channels_to_send(store: Store) -> tuple[int, bool, bool] | None:
    with store.read() as db:
        row = db.execute(
            "SELECT channels_version, channels_sent_version, sms, email FROM alert_settings WHERE id = 1"
        ).fetchone()
    if row is None or row[0] <= row[1]:
        return None
    return row[0], bool(row[2]), bool(row[3])


def channels_sent(store: Store, version: int, now: datetime) -> None:
    with store.write() as db:
        db.execute(
            "UPDATE alert_settings SET channels_sent_version = max(channels_sent_version, ?), updated_at = ? "
            "WHERE id = 1",
            [version, utc_text(now)],
        )


def set_problem(store: Store, problem: str | None, now: datetime) -> None:
    with store.write() as db:
        _ensure_settings(db, now)
        db.execute("UPDATE alert_settings SET problem = ? WHERE id = 1", [problem[:500] if problem else None])


def wants_alerts(store: Store) -> bool:
    """Opted in: only then is there anything to pull."""
    with store.read() as db:
        row = db.execute("SELECT opted_in FROM alert_settings WHERE id = 1").fetchone()
    return bool(row and row[0])
