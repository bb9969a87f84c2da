"""Helpers for the alerts tests: staff who issue alerts through the API, phones that pull them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.backend.console_support import ConsoleServer
from tests.support import staff_token

FARM = (51.2502, 0.9004)  # in the demo Kent area
FAR_EAST = (51.25, 1.33)  # 30 km east of the farm, still in Kent
SUSSEX = (51.0, -0.3)
TITLE = "Hare coursers seen near the Ridgeway"
TEXT = "Three men with lurchers in a white pickup, heading east. Do not approach them."


def alert_body(where: tuple[float, float] = FARM, radius_km: float = 5.0, **extra: Any) -> dict[str, Any]:
    return {
        "title": TITLE,
        "text": TEXT,
        "category": "hare_coursing",
        "vehicle_registration": "ab12 cde",
        "area": {"lat": where[0], "lon": where[1], "radius_km": radius_km},
        **extra,
    }


@dataclass
class Issuer:
    """A member of staff with an API token."""

    client: httpx.Client
    headers: dict[str, str]

    def issue(self, where: tuple[float, float] = FARM, radius_km: float = 5.0, **extra: Any) -> dict[str, Any]:
        r = self.client.post("/api/v1/alerts", json=alert_body(where, radius_km, **extra), headers=self.headers)
        assert r.status_code == 201, r.text
        return r.json()

    def change(self, alert_id: int, **changes: Any) -> httpx.Response:
        return self.client.patch(f"/api/v1/alerts/{alert_id}", json=changes, headers=self.headers)


def issuer(server: ConsoleServer, username: str, role: str, force: str | None) -> Issuer:
    client = server.client()
    return Issuer(client, staff_token(server.live, client, username, role, force))


class Phone:
    """A registered phone that chose alert places and pulls alerts."""

    def __init__(self, server: ConsoleServer, *places: tuple[float, float, float], email: str | None = None) -> None:
        self.client = server.client()
        details = {"name": "Jo Farmer", "phone": "07700 900123", "farm_name": "Hill Farm"}
        r = self.client.post("/api/v1/devices", json=details | ({"email": email} if email else {}))
        assert r.status_code == 201, r.text
        self.device_id = r.json()["device_id"]
        self.headers = {"Authorization": f"Bearer {r.json()['token']}"}
        self.cursor: str | None = None
        if places:
            self.set_places(*places)

    def set_places(self, *places: tuple[float, float, float]) -> list[dict[str, float]]:
        body = {"places": [{"lat": lat, "lon": lon, "radius_km": radius} for lat, lon, radius in places]}
        r = self.client.put("/api/v1/me/alert-places", json=body, headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()["places"]

    def pull(self, full: bool = False) -> dict[str, Any]:
        """One pull from the last cursor (or every alert); keeps the new cursor."""
        params = {} if full or self.cursor is None else {"since": self.cursor}
        r = self.client.get("/api/v1/alerts", params=params, headers=self.headers)
        assert r.status_code == 200, r.text
        self.cursor = r.json()["cursor"]
        return r.json()

    def pulled_ids(self, full: bool = False) -> list[int]:
        return [a["id"] for a in self.pull(full)["alerts"]]
