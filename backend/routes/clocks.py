"""A report's response clocks, for the police of its area and for the farmer who sent it."""

from uuid import UUID

from fastapi import APIRouter

from backend.deps import DbDep, NowDep, PrincipalDep
from backend.routes.errors import errors
from backend.services.clocks import response_clocks
from backend.services.clocks.flags import raised_flags
from backend.services.errors import NotFound
from backend.services.intake import reports
from backend.services.staff import accounts
from backend.services.staff.accounts import StaffUser
from wire.clocks import ReportClocks

router = APIRouter(prefix="/api/v1/reports", tags=["clocks"])


@router.get("/{report_id}/clocks", response_model=ReportClocks, responses=errors(401, 404, 422))
def get_clocks(report_id: UUID, who: PrincipalDep, db: DbDep, now: NowDep) -> ReportClocks:
    """Every clock of the report now: start, due, stop, state. The farmer sees the public clocks only."""
    rid = str(report_id)
    if isinstance(who, StaffUser):
        if not accounts.can_read_report(who, reports.report_row(db, rid)):
            raise NotFound("no such report")
    else:
        reports.device_report(db, rid, who.id)  # 404 unless it is this farmer's
    rc = response_clocks.report_clocks(db, rid, now)
    if rc is None:
        raise NotFound("no such report")
    is_staff = isinstance(who, StaffUser)
    shown = [c.as_dict() for c in rc.clocks if is_staff or c.public]
    flags = None
    if is_staff:
        flags = raised_flags(db, rid)
    return ReportClocks.model_validate(
        {
            "report_id": rid,
            "at": now,
            "clocks": shown,
            "first_reported_at": rc.first_reported_at,
            "call_mark": rc.call_mark,
            "flags": flags,
        }
    )
