"""Reports: the farmer's idempotent PUT, read-back, pull of changes, later updates and chases."""

from typing import Annotated
from uuid import UUID

import sqlite_utils
from fastapi import APIRouter, Query, Response, status

from backend.deps import DbDep, DeviceDep, NowDep, PrincipalDep, WriterDep
from backend.routes.errors import errors
from backend.schemas import ReportStaff
from backend.services.errors import NotFound
from backend.services.intake import report_views, reports
from backend.services.staff import accounts
from backend.services.staff.accounts import StaffUser
from wire.reports import Chase, FarmerUpdate, ReportCreate, ReportPage, ReportPublic

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.put(
    "/{report_id}",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReportPublic, "description": "The same report was already held"}}
    | errors(401, 404, 409, 413, 422),
)
async def put_report(
    report_id: UUID,
    body: ReportCreate,
    device: DeviceDep,
    db: DbDep,
    writer: WriterDep,
    now: NowDep,
    response: Response,
) -> dict:
    """Send a report. Safe to repeat: the same content again answers 200, different content 409."""
    # The hottest route runs on the event loop: its reads are indexed lookups of well under a millisecond, and
    # its write joins the group commit (run on the loop too; only the fsync waits on a thread).
    rid = str(report_id)

    def store(wdb: sqlite_utils.Database) -> dict | None:
        # The answer is read on the writer's own connection, inside the transaction that stored the report: its
        # pages are in that connection's cache, where every other connection's cache was emptied by the commit.
        if reports.put_report(wdb, device.id, rid, body, now):
            return report_views.public_view(wdb, reports.device_report(wdb, rid, device.id), device.language)
        return None

    if not reports.already_held(db, device.id, rid, body) and (stored := await writer.run_async(store)) is not None:
        # The batch stores its reports' clocks as it commits, after the view was read: the due time is read now.
        stored["answer_due_at"] = report_views.answer_due_at(db, rid)
        return stored
    response.status_code = status.HTTP_200_OK
    return report_views.public_view(db, reports.device_report(db, rid, device.id), device.language)


@router.get(
    "/{report_id}",
    response_model=ReportStaff | ReportPublic,
    responses=errors(401, 404),
)
def get_report(report_id: UUID, who: PrincipalDep, db: DbDep, now: NowDep) -> dict:
    """The farmer's own report (public view), or for police staff of its area the full view (the read is logged)."""
    if isinstance(who, StaffUser):
        row = reports.report_row(db, str(report_id))
        if not accounts.can_read_report(who, row):
            raise NotFound("no such report")
        accounts.log_read(db, who, row["id"], "api", now)
        return report_views.staff_view(db, row)
    return report_views.public_view(db, reports.device_report(db, str(report_id), who.id), who.language)


@router.get("", response_model=ReportPage, responses=errors(401, 422))
def list_changed(
    device: DeviceDep,
    db: DbDep,
    # Bounded to SQLite's 64-bit integers: a larger cursor cannot come from this server, and would fail the query.
    since: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="The cursor from the previous page; 0 for everything.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReportPage:
    """The device's own reports whose public state changed after `since`, oldest change first."""
    rows = reports.changed_since(db, device.id, since, limit + 1)
    page = rows[:limit]
    cursor = page[-1]["public_seq"] if page else since
    return ReportPage(
        reports=[ReportPublic.model_validate(report_views.public_view(db, r, device.language)) for r in page],
        cursor=str(cursor),
        more=len(rows) > limit,
    )


@router.post(
    "/{report_id}/updates",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReportPublic, "description": "This update was already added"}}
    | errors(401, 404, 409, 413, 422),
)
def add_update(
    report_id: UUID, body: FarmerUpdate, device: DeviceDep, db: DbDep, now: NowDep, response: Response
) -> dict:
    """The farmer adds information (and may declare more photos) after sending the report."""
    created, _ = reports.add_farmer_update(db, device.id, str(report_id), body, now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return report_views.public_view(db, reports.device_report(db, str(report_id), device.id), device.language)


@router.post(
    "/{report_id}/chase",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ReportPublic, "description": "This chase was already recorded"}}
    | errors(401, 404, 409, 413, 422),
)
def chase_report(report_id: UUID, body: Chase, device: DeviceDep, db: DbDep, now: NowDep, response: Response) -> dict:
    """The farmer chases a report nobody has answered."""
    created, _ = reports.chase(db, device.id, str(report_id), str(body.chase_id), body.text.strip(), now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return report_views.public_view(db, reports.device_report(db, str(report_id), device.id), device.language)
