"""Alerts in the sync pass (issue 19): send the farmer's alert places and channels when they changed, then pull
the alerts (`GET /api/v1/alerts?since=<cursor>`).

What is sent for alerts is the chosen places alone, each rounded here to about 1 km before it leaves the phone
(the server rounds again): never the phone's own position. A server that does not offer alerts yet (404) is not a
reason to fail a sync: the choice stays waiting and is sent once it does.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from app.store import alerts as alert_store
from app.store.db import Store
from app.sync.errors import Rejected, classify, is_json, network_error, portal
from core.geo import EARTH_RADIUS_M
from wire.alerts import ALERT_PLACE_GRID_KM, AlertPublic

log = logging.getLogger("hedgerow.sync")

ALERTS_PATH = "/api/v1/alerts"
PLACES_PATH = "/api/v1/me/alert-places"
CHANNELS_PATH = "/api/v1/me/alert-channels"
NOT_OFFERED = frozenset({404, 405})  # an older server: no alerts there yet
_KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 360 / 1000


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """The point snapped to a grid of about ALERT_PLACE_GRID_KM: what leaves the phone for a place."""
    lat_step = ALERT_PLACE_GRID_KM / _KM_PER_DEGREE
    snapped_lat = round(lat / lat_step) * lat_step
    lon_step = lat_step / max(math.cos(math.radians(snapped_lat)), 0.01)
    return round(snapped_lat, 4), round(round(lon / lon_step) * lon_step, 4)


def places_body(places: list[alert_store.ChosenPlace]) -> dict[str, Any]:
    """The body of PUT /api/v1/me/alert-places: rounded points and radii, no names."""
    body = []
    for place in places:
        lat, lon = coarse_point(place.lat, place.lon)
        body.append({"lat": lat, "lon": lon, "radius_km": place.radius_km})
    return {"places": body}


async def _put(client: httpx.AsyncClient, url: str, body: dict[str, Any], token: str) -> None:
    try:
        response = await client.put(url, json=body, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise network_error(exc) from exc
    classify(response, {200, 204})


async def push_choices(
    store: Store, client: httpx.AsyncClient, server_url: str, token: str, clock: Callable[[], datetime]
) -> None:
    """Send the places and the channels if the server has not taken their latest versions. Raises the sync
    errors a failure that time may cure (or a lost token) gives; a refusal is kept for the settings screen."""
    sends: list[tuple[str, dict[str, Any], Callable[[], None]]] = []
    if (places := alert_store.places_to_send(store)) is not None:
        version, chosen = places
        sends.append((PLACES_PATH, places_body(chosen), lambda: alert_store.places_sent(store, version, clock())))
    if (channels := alert_store.channels_to_send(store)) is not None:
        channels_version, sms, email = channels
        sends.append(
            (
                CHANNELS_PATH,
                {"sms": sms, "email": email},
                lambda: alert_store.channels_sent(store, channels_version, clock()),
            )
        )
    for path, body, sent in sends:
        try:
            await _put(client, server_url + path, body, token)
        except Rejected as exc:
            if exc.status in NOT_OFFERED:  # kept waiting: sent once the server offers alerts
                alert_store.set_problem(store, "This server does not send alerts yet; your choice is kept.", clock())
                continue
            sent()  # the same choice would be refused again: the farmer's next change is sent instead
            alert_store.set_problem(store, f"The server refused your alert choices: {exc.message}", clock())
            continue
        sent()


async def pull_alerts(
    store: Store, client: httpx.AsyncClient, server_url: str, token: str, clock: Callable[[], datetime]
) -> int:
    """Fetch the alerts that changed since the stored cursor (all of them when there is none) and keep them;
    returns how many are new or changed. Nothing is asked while the farmer has not opted in."""
    if not alert_store.wants_alerts(store):
        return 0
    cursor = alert_store.alerts_cursor(store)
    try:
        response = await client.get(
            server_url + ALERTS_PATH,
            params={"since": cursor} if cursor else None,
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        raise network_error(exc) from exc
    if response.status_code in NOT_OFFERED and is_json(response):
        return 0
    try:
        classify(response, {200})
    except Rejected as exc:  # perhaps a cursor this server no longer reads: the whole list next time
        alert_store.reset_cursor(store)
        alert_store.set_problem(store, f"Alerts could not be fetched: {exc.message}", clock())
        return 0
    if not is_json(response):
        raise portal(response)
    page = response.json()
    if not isinstance(page, dict) or not isinstance(page.get("alerts"), list) or "cursor" not in page:
        raise portal(response)
    alerts = []
    for raw in page["alerts"]:
        try:
            alerts.append(AlertPublic.model_validate(raw))
        except ValidationError:  # one alert that does not read must not keep the others away
            log.warning("an alert from the server did not read: %r", raw)
    withdrawn = [int(i) for i in page.get("withdrawn") or [] if isinstance(i, int)]
    return alert_store.store_pull(store, alerts, withdrawn, str(page["cursor"]), cursor is None, clock())
