"""Alerts from the police to farmers, as they cross the wire (issue 19).

The server and the phone share these. An alert reaches a device when its circle meets one of the device's alert
places; the places are coarse (about 1 km) so that the server never learns where a phone is, only roughly where
its farmer wants to hear about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wire.categories import CategoryCode
from wire.reports import ShortText, Strict, UtcDatetime

MAX_ALERT_RADIUS_KM = 80.0  # a force area at most: Dyfed-Powys, the widest, is about 160 km across
MAX_ALERT_PLACES = 10
MAX_PLACE_RADIUS_KM = 50.0
ALERT_PLACE_GRID_KM = 1.0  # places are stored snapped to this, whatever the phone sends

AlertTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
AlertText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AlertArea(Strict):
    """A circle: the centre and its radius."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0, le=MAX_ALERT_RADIUS_KM)


class AlertBase(Strict):
    title: AlertTitle
    text: AlertText
    category: CategoryCode | None = None
    vehicle_registration: ShortText | None = None
    area: AlertArea


class AlertCreate(AlertBase):
    """The body of `POST /api/v1/alerts` (staff)."""

    expires_at: UtcDatetime | None = Field(default=None, description="Default: 48 hours after it is issued.")
    report_id: UUID | None = Field(default=None, description="The report it was started from, linked to it.")


class AlertUpdate(Strict):
    """The body of `PATCH /api/v1/alerts/{id}` (staff): only the fields given change."""

    title: AlertTitle | None = None
    text: AlertText | None = None
    category: CategoryCode | None = None
    vehicle_registration: ShortText | None = None
    area: AlertArea | None = None
    expires_at: UtcDatetime | None = None
    withdrawn: bool | None = Field(default=None, description="true withdraws the alert; it cannot be undone.")


class AlertPublic(AlertBase):
    """An alert as a farmer's phone receives it: nothing about who issued it beyond the force."""

    model_config = ConfigDict(extra="ignore")

    id: int
    force: str
    issued_at: datetime
    updated_at: datetime
    expires_at: datetime
    photo_url: str | None = Field(default=None, description="Relative to the server; fetched with the device token.")


class AlertStaff(AlertPublic):
    """An alert as the console and the staff API see it."""

    withdrawn_at: datetime | None = None
    issued_by: str
    report_id: UUID | None = None
    devices_reached: int = Field(description="How many devices have pulled it.")
    linked_reports: list[UUID] = Field(default_factory=list, description="Reports made from it ('I've seen this').")


class AlertPull(BaseModel):
    """The answer to `GET /api/v1/alerts?since=<cursor>` for a device token."""

    alerts: list[AlertPublic] = Field(description="Active alerts that reach this device, changed since the cursor.")
    withdrawn: list[int] = Field(
        description="Alerts withdrawn or expired since the cursor: the phone removes them.", default_factory=list
    )
    cursor: str = Field(description="Pass as `since` next time.")


class AlertPlace(Strict):
    """A place a farmer wants alerts about; the server snaps it to a ~1 km grid whatever is sent."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0, le=MAX_PLACE_RADIUS_KM)


class AlertPlaces(Strict):
    """The body of `PUT /api/v1/me/alert-places` (device): replaces the device's places; [] opts out."""

    places: list[AlertPlace] = Field(max_length=MAX_ALERT_PLACES)


class AlertChannels(Strict):
    """The body of `PUT /api/v1/me/alert-channels` (device): alerts also by SMS to the phone number and by email
    to the address the phone registered with. Both false stops them; the app's alerts are not affected."""

    sms: bool
    email: bool
