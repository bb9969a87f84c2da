"""A report's response clocks (GET /api/v1/reports/{id}/clocks) and the policy in force (GET /api/v1/policy), as they
cross the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ClockName = Literal["answered", "reference", "decision", "update", "attendance"]
ClockStateName = Literal["running", "met", "breached", "met_late", "not_applicable"]
# The public clock of the police's first answer: its due time is the report's `answer_due_at`, and its targets in
# the published policy are what the farmer's phone counts from until it has heard that due time.
FIRST_ANSWER: ClockName = "answered"


class Clock(BaseModel):
    clock: ClockName
    label: str
    target: str | None = Field(description="'2 hours', '1 working day' ...; null when the clock does not run.")
    state: ClockStateName
    start: datetime | None = Field(description="When this run of the clock started (receipt, or a reopening).")
    due: datetime | None
    stop: datetime | None = Field(description="The first event that satisfied it, or the closure that ended it.")
    overdue: bool = Field(description="Run out and not yet satisfied while the report is open.")
    first_reported_at: datetime | None = Field(
        description="For the 'since first reported to the police' view: the farmer's earliest 101/999 call "
        "when it came before the report, else the receipt. Null for runs that did not start at receipt."
    )
    chases: list[datetime] = Field(description="The farmer's chases while this clock was running.")
    missed: int = Field(description="Earlier runs that ran out (for the update cadence: late updates).")


class ReportClocks(BaseModel):
    report_id: str
    at: datetime = Field(description="The moment the clocks were computed for.")
    clocks: list[Clock]
    first_reported_at: datetime
    call_mark: Literal["red", "amber", "green"] | None = Field(
        description="The farmer's 101 experience on this report: red for an abandoned call or a wait over "
        "15 minutes, amber over 5 minutes; null when no 101 call was logged."
    )
    flags: list[str] | None = Field(default=None, description="Staff only: the flags the report holds.")


class ClockDefinition(BaseModel):
    name: str
    label: str
    basis: str
    flag: str
    public: bool


NO_TARGET = "none"  # a target in force when the clock does not run


class TargetInForce(BaseModel):
    category: str
    clock: str
    target: str = Field(description=f"'{NO_TARGET}' when the clock does not run for this category.")
    source: str = Field(description="Where the target comes from: the defaults or the force's override.")


class PolicyInForce(BaseModel):
    force: str | None
    at: datetime
    clocks: list[ClockDefinition]
    targets: list[TargetInForce]
