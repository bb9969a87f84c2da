"""Staff API: tokens for scripts, recording actions on reports, the unrouted list."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel

from backend.deps import DbDep, NowDep, PoliceDep, SettingsDep, StaffDep, client_ip
from backend.routes.errors import errors
from backend.schemas import EventCreate, ReportStaff, TokenCreate, TokenIssued
from backend.security import login_delay_s, record_login_failure
from backend.services.areas import boundaries
from backend.services.intake import report_views, reports
from backend.services.staff import accounts
from backend.services.triage import actions
from backend.writes import write

router = APIRouter(prefix="/api/v1", tags=["staff"])


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenIssued,
    responses=errors(401, 413, 422, 429),
)
def create_token(body: TokenCreate, request: Request, db: DbDep, now: NowDep, settings: SettingsDep) -> TokenIssued:
    """Exchange a staff username and password for an API token (for scripts). Repeated failures are slowed down."""
    ip = client_ip(request)
    wait = login_delay_s(db, body.username, ip, settings.login_failures_allowed, now)
    if wait:
        raise HTTPException(429, "too many failed logins; wait before trying again", headers={"Retry-After": str(wait)})
    user = accounts.authenticate(db, body.username, body.password)
    if user is None:
        record_login_failure(db, body.username, ip, now)
        raise HTTPException(401, "wrong username or password", headers={"WWW-Authenticate": "Bearer"})
    token, expires = accounts.issue_api_token(db, user, now, settings.api_token_days, body.label)
    return TokenIssued(token=token, expires_at=expires, role=user.role, force=user.force)


@router.post(
    "/reports/{report_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportStaff,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def record_event(
    report_id: UUID, body: EventCreate, user: PoliceDep, db: DbDep, now: NowDep, settings: SettingsDep
) -> dict:
    """Record one action on a report (acknowledge, reference, update to the farmer, note, close ...); the flags
    it settles change in the same transaction."""
    with write(db):
        actions.record_action(db, user, str(report_id), body, now, settings)
        accounts.log_read(db, user, str(report_id), "api-event", now)
    return report_views.staff_view(db, reports.report_row(db, str(report_id)))


class UnroutedReport(BaseModel):
    id: UUID
    category: str
    lat: float
    lon: float
    received_at: datetime


@router.get("/admin/unrouted", response_model=list[UnroutedReport], responses=errors(401, 403))
def unrouted(user: StaffDep, db: DbDep) -> list[dict]:
    """Reports whose point lies outside every area, for an admin to route (import the missing area)."""
    if user.role != "admin":
        raise HTTPException(403, "only admins see unrouted reports")
    return boundaries.unrouted(db, limit=500)
