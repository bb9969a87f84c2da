"""Backend-only models: the staff's view of a report and the events staff record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from wire.events import StaffEventKind
from wire.reports import ReportPublic, Strict, TimelineEntry, UtcDatetime

CLOSE_OUTCOMES = (
    "arrest",
    "property_recovered",
    "no_further_action",
    "passed_to_council",
    "passed_to_environment_agency",
    "duplicate",
    "mistake",
    "other",
)


# A legal hold without its reason: said as the officer at the report page should read it.
HOLD_REASON_NEEDED = {
    "hold_placed": "give the reason this report must be kept as evidence (it is logged)",
    "hold_removed": "give the reason the hold ends (it is logged)",
}


class DeviceSettings(Strict):
    """`PATCH /api/v1/me`: what a farmer's phone may change about itself after registering."""

    language: Literal["en", "cy"] = Field(description="The language every text the server writes for this phone is in.")


class StaffTimelineEntry(TimelineEntry):
    id: int
    actor_kind: str
    actor_id: str | None
    public: bool
    data: dict[str, Any]


class Reporter(BaseModel):
    name: str
    phone: str
    farm_name: str | None
    postcode: str | None
    email: str | None


class ReportStaff(ReportPublic):
    """A report as an officer of its area sees it, with the reporter's details for the call back."""

    timeline: list[StaffTimelineEntry]  # type: ignore[assignment]
    reporter: Reporter | None = Field(
        description="Who sent it, for the call back; null for a report sent without a name (`anonymous`), or "
        "when the farmer had their contact details erased (`contact_erased`)."
    )
    contact_erased: bool = Field(
        default=False,
        description="The farmer asked for their contact details to be erased: there is nobody to call back; the "
        "police's updates still reach their app.",
    )
    force: str | None
    assigned_to: int | None
    clock_skew_s: float | None = Field(description="Phone clock minus server clock when sent, in seconds.")
    sent_at: datetime | None


class EventCreate(Strict):
    """One action by staff on a report."""

    kind: StaffEventKind
    at: UtcDatetime | None = Field(default=None, description="When it happened; default now. Not in the future.")
    text: str | None = Field(default=None, max_length=5000)
    reference: str | None = Field(default=None, min_length=1, max_length=60)
    decision: Literal["investigate", "no_further_action"] | None = None
    reason: str | None = Field(default=None, max_length=2000)
    outcome: Literal[CLOSE_OUTCOMES] | None = None  # type: ignore[valid-type]
    user_id: int | None = Field(default=None, description="For `assigned`: the officer; default yourself.")
    duplicate_of: str | None = Field(default=None, max_length=36)

    @model_validator(mode="after")
    def _required(self) -> EventCreate:
        needs = {
            "reference_added": ("reference",),
            "update_sent": ("text",),
            "note": ("text",),
            "decision": ("decision",),
            "closed": ("outcome",),
            "hold_placed": ("reason",),
            "hold_removed": ("reason",),
        }.get(self.kind, ())
        missing = [name for name in needs if not getattr(self, name)]
        if missing and self.kind in HOLD_REASON_NEEDED:
            raise ValueError(HOLD_REASON_NEEDED[self.kind])
        if missing:
            raise ValueError(f"a {self.kind} event needs {', '.join(missing)}")
        if self.decision == "no_further_action" and not self.reason:
            raise ValueError("a decision of no further action needs a reason")
        return self

    def data(self) -> dict[str, Any]:
        return self.model_dump(exclude={"kind", "at"}, exclude_none=True)


class TokenCreate(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)
    label: str | None = Field(default=None, max_length=100)


class TokenIssued(BaseModel):
    token: str
    expires_at: datetime
    role: str
    force: str | None
