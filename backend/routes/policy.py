"""The response policy: the targets in force for a force, their history, and a supervisor's overrides."""

from datetime import datetime
from typing import Annotated, Any

import sqlite_utils
from fastapi import APIRouter, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, Field

from backend.deps import DbDep, Device, NowDep, PrincipalDep, StaffDep
from backend.routes.errors import errors
from backend.services.areas import boundaries
from backend.services.clocks import policy
from backend.services.errors import NotFound
from backend.services.staff.accounts import StaffUser
from backend.writes import write
from wire.clocks import ClockName, PolicyInForce
from wire.reports import Strict

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


class PolicyChange(BaseModel):
    force: str | None
    category: str | None
    clock: str
    target: str | None = Field(description="Null: an override removed, the defaults apply again.")
    effective_from: datetime
    set_by: str
    set_at: datetime


class OverrideSet(Strict):
    clock: ClockName
    category: str | None = Field(default=None, max_length=40, description="One category; omit for every category.")
    target: str | None = Field(
        max_length=40,
        description="'3 hours', '2 working days', 'none' (the clock does not run); null removes the override.",
    )


def _force_for(user: StaffUser | Device, force: str | None) -> str | None:
    """Police staff read their own force's policy; admins, the NFU and farmers' phones name one (or read the
    defaults)."""
    if isinstance(user, StaffUser) and user.is_police:
        if force is not None and force != user.force:
            raise HTTPException(403, "police staff see their own force's policy")
        return user.force
    return force


def _known_force(db: sqlite_utils.Database, force: str) -> None:
    if force not in boundaries.forces(db):
        raise NotFound(f"no force {force!r}")


def _in_force(db: sqlite_utils.Database, force: str | None, at: datetime, public_only: bool = False) -> dict[str, Any]:
    specs = [s for s in policy.clock_specs() if s.public or not public_only]
    shown = {s.name for s in specs}
    return {
        "force": force,
        "at": at,
        "clocks": [
            {"name": s.name, "label": s.label, "basis": s.basis, "flag": s.flag, "public": s.public} for s in specs
        ],
        "targets": [t for t in policy.resolved_table(db, force, at) if t["clock"] in shown],
    }


@router.get("", response_model=PolicyInForce, responses=errors(401, 403, 404, 422))
def policy_in_force(
    who: PrincipalDep,
    db: DbDep,
    now: NowDep,
    force: Annotated[str | None, Query(max_length=100)] = None,
    at: Annotated[
        AwareDatetime | None, Query(description="A past moment with its offset, to see the policy then.")
    ] = None,
) -> dict[str, Any]:
    """Every category's target for every clock, as in force now (or at `at`) for a force. A farmer's phone (device
    token) reads the clocks the farmer sees, to tell when an answer is due while it is offline."""
    force = _force_for(who, force)
    if force is not None:
        _known_force(db, force)
    return _in_force(db, force, at or now, public_only=not isinstance(who, StaffUser))


@router.get("/history", response_model=list[PolicyChange], responses=errors(401, 403, 404, 422))
def policy_history(
    user: StaffDep, db: DbDep, force: Annotated[str | None, Query(max_length=100)] = None
) -> list[dict[str, Any]]:
    """Every change to the defaults and to the force's overrides, oldest first."""
    force = _force_for(user, force)
    if force is not None:
        _known_force(db, force)
    return policy.history(db, force)


@router.put("/{force}", response_model=PolicyInForce, responses=errors(401, 403, 404, 413, 422))
def set_override(force: str, body: OverrideSet, user: StaffDep, db: DbDep, now: NowDep) -> dict[str, Any]:
    """A supervisor sets their force's own target for a clock, from now on. Reports already received keep theirs."""
    if not (user.role == "admin" or (user.role == "supervisor" and user.force == force)):
        raise HTTPException(403, "only a supervisor of this force (or an admin) may change its targets")
    _known_force(db, force)
    with write(db):
        policy.set_override(db, force, body.clock, body.category, body.target, f"user {user.id} ({user.username})", now)
    return _in_force(db, force, now)
