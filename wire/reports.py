"""The report as it crosses the wire: what the phone sends and what the server answers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from wire.categories import CategoryCode, validate_details
from wire.normalise import normalise_registration

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTOS_PER_REPORT = 6
PHOTO_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # the first moments of year 1 with a positive offset fall before datetime.min in UTC
        raise ValueError("the time is out of range") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Strict(BaseModel):
    """Unknown fields are refused, so that a typo is an error rather than lost data."""

    model_config = ConfigDict(extra="forbid")


class Location(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    # "described": the farmer could give no position, only words (in place_name); the point is the phone's best
    # guess (the farm place used last, or the last report's), for routing only.
    source: Literal["gps", "map", "grid_ref", "saved_place", "what3words", "address", "described"]
    grid_ref: ShortText | None = None
    what3words: ShortText | None = None
    place_name: ShortText | None = None


class Vehicle(Strict):
    registration: ShortText | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None
    direction: ShortText | None = None

    @field_validator("registration")
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        return normalise_registration(value) or None if value else None


class People(Strict):
    count: int | None = Field(default=None, ge=0, le=1000)
    description: str | None = Field(default=None, max_length=2000)


class CallLog(Strict):
    channel: Literal["101", "999", "online", "rural_team", "other"]
    called_at: UtcDatetime
    waited_s: int | None = Field(default=None, ge=0, le=24 * 3600)
    outcome: Literal["answered", "abandoned", "callback_promised", "cut_off"]
    reference: ShortText | None = None


class PhotoDeclared(Strict):
    photo_id: UUID
    sha256: Sha256Hex
    bytes: int = Field(gt=0, le=MAX_PHOTO_BYTES)
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    # Provenance, sent beside the image because the phone strips EXIF from what it uploads: when and where the
    # camera says it was taken (if it said), and the digest of the original file kept on the phone.
    taken_at: UtcDatetime | None = None
    taken_lat: float | None = Field(default=None, ge=-90, le=90)
    taken_lon: float | None = Field(default=None, ge=-180, le=180)
    original_sha256: Sha256Hex | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> PhotoDeclared:
        if (self.taken_lat is None) != (self.taken_lon is None):
            raise ValueError("give both taken_lat and taken_lon, or neither")
        return self


class ReportBase(Strict):
    category: CategoryCode
    happening_now: bool = False
    occurred_at: UtcDatetime
    occurred_until: UtcDatetime | None = None
    description: str = Field(default="", max_length=5000)
    location: Location
    details: dict[str, Any] = Field(default_factory=dict)
    vehicles: list[Vehicle] = Field(default_factory=list, max_length=20)
    people: People | None = None
    calls: list[CallLog] = Field(default_factory=list, max_length=20)
    created_at: UtcDatetime
    photos: list[PhotoDeclared] = Field(default_factory=list, max_length=MAX_PHOTOS_PER_REPORT)
    alert_id: int | None = Field(
        default=None, description="The police alert this report answers ('I've seen this'), if any."
    )
    anonymous: bool = Field(
        default=False,
        strict=True,  # true or false only: a privacy choice is not guessed from "yes", 1 or "off"
        description="Sent without a name: staff never see the reporter's contact details (name, phone, email, farm "
        "name, postcode), so they cannot call back; the police's answers still reach the phone that sent it.",
    )

    @model_validator(mode="after")
    def _check(self) -> ReportBase:
        self.details = validate_details(self.category, self.details)
        if self.occurred_until is not None and self.occurred_until < self.occurred_at:
            raise ValueError("occurred_until is before occurred_at")
        ids = [p.photo_id for p in self.photos]
        if len(ids) != len(set(ids)):
            raise ValueError("a photo_id is declared twice")
        self.description = self.description.strip()
        return self


LATER_FIELD_DEFAULTS: dict[str, Any] = {"alert_id": None, "anonymous": False}


class ReportCreate(ReportBase):
    """The body of `PUT /api/v1/reports/{report_id}`."""

    sent_at: UtcDatetime | None = Field(
        default=None, description="The phone's clock when it sent this request, to measure its skew."
    )
    # Kept once computed: intake asks for them several times per request, and a body is not changed after it
    # is validated.
    _canonical: dict[str, Any] | None = PrivateAttr(default=None)
    _content_hash: str | None = PrivateAttr(default=None)

    def canonical(self) -> dict[str, Any]:
        """The content that decides whether a resend is the same report: everything but `sent_at`.

        The same dict is returned each time: treat it as read-only."""
        if self._canonical is None:
            content = self.model_dump(mode="json", exclude={"sent_at"})
            # Fields added after the first release are left out while they hold their default, so that a report
            # sent by an older app (or stored before the field existed) keeps the hash it had.
            for name, default in LATER_FIELD_DEFAULTS.items():
                if content.get(name) == default:
                    content.pop(name, None)
            self._canonical = content
        return self._canonical

    def content_hash(self) -> str:
        if self._content_hash is None:
            self._content_hash = canonical_hash(self.canonical())
        return self._content_hash


def canonical_hash(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class AreaPublic(BaseModel):
    id: int
    name: str
    force: str


class TimelineEntry(BaseModel):
    kind: str
    at: datetime
    text: str | None = None
    reference: str | None = None


class PhotoPublic(PhotoDeclared):
    model_config = ConfigDict(extra="ignore")

    arrived: bool
    error: str | None = None
    # Provenance is evidence for the officers (the camera's position can be the farm): not sent back out.
    taken_at: UtcDatetime | None = Field(default=None, exclude=True)
    taken_lat: float | None = Field(default=None, exclude=True)
    taken_lon: float | None = Field(default=None, exclude=True)
    original_sha256: Sha256Hex | None = Field(default=None, exclude=True)


class ReportPublic(ReportBase):
    """A report as the server holds it, as its farmer sees it."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    received_at: datetime
    updated_at: datetime
    status: Literal["received", "acknowledged", "in_progress", "closed"]
    area: AreaPublic | None
    police_reference: str | None
    timeline: list[TimelineEntry]
    flags: list[str]
    photos: list[PhotoPublic] = Field(default_factory=list)  # type: ignore[assignment]
    answer_due_at: datetime | None = Field(
        default=None,
        description="When the police's first answer is due (the public 'answered' clock); null when that clock does "
        "not run for this report or has stopped (answered, or closed).",
    )

    @model_validator(mode="after")
    def _check(self) -> ReportPublic:
        # Stored reports were validated on the way in, and photos added by later updates may pass the limit
        # of the first send: do not validate them again.
        return self


class ReportPage(BaseModel):
    reports: list[ReportPublic]
    cursor: str = Field(description="Pass as `since` to get only what changed after this page.")
    more: bool


class FarmerUpdate(Strict):
    """The farmer adds something to a report after sending it."""

    update_id: UUID = Field(description="Made on the phone, so a resend does not add the update twice.")
    text: str = Field(default="", max_length=5000)
    photos: list[PhotoDeclared] = Field(default_factory=list, max_length=MAX_PHOTOS_PER_REPORT)
    sent_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> FarmerUpdate:
        self.text = self.text.strip()
        if not self.text and not self.photos:
            raise ValueError("an update needs text or photos")
        return self


class Chase(Strict):
    chase_id: UUID = Field(description="Made on the phone, so a resend does not chase twice.")
    text: str = Field(default="", max_length=1000)
    sent_at: UtcDatetime | None = None


# A phone number as registration takes it (and `hedgerow sar --phone` looks it up): trimmed, digits and + ( ) -.
PhoneNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30, pattern=r"^[0-9+() -]+$")
]


class DeviceCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    phone: PhoneNumber
    farm_name: ShortText | None = None
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=10)] | None = None
    email: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        ]
        | None
    ) = None
    # The language the farmer reads: every text the server writes for this phone is in it (issue 18).
    language: Literal["en", "cy"] = "en"


class DeviceRegistered(BaseModel):
    device_id: UUID
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown once; stored only as a hash.")


class ErrorBody(BaseModel):
    detail: Any = Field(description="A human-readable message, or a list of field errors for a 422.")
