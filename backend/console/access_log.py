"""The access log: every staff read of a report (console page, photo original, API), for admins to export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from backend.console.admin import AdminDep
from backend.console.render import page, security_headers
from backend.deps import DbDep, SettingsDep
from backend.i18n import _
from backend.services.errors import Invalid
from backend.services.staff import user_admin
from core.uktime import LONDON

router = APIRouter(prefix="/console/admin")
RECENT = 100


def _day(value: str, name: str, next_day: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise Invalid(_("%(name)s must be a date like 2026-03-01") % {"name": name}) from None
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(0), LONDON)


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, session: AdminDep, db: DbDep) -> Response:
    rows = user_admin.recent_reads(db, RECENT)
    total = user_admin.read_count(db)
    return page(request, "console/access_log.html", {"session": session, "rows": rows, "total": total})


@router.get("/access-log.csv")
def access_log_csv(
    request: Request, session: AdminDep, settings: SettingsDep, since: str = "", until: str = ""
) -> StreamingResponse:
    """The log as CSV, oldest first; `since` and `until` are UK days, both included."""
    start, end = _day(since, "since"), _day(until, "until", next_day=True)
    pool = request.app.state.pool

    def chunks() -> Iterator[str]:
        # Its own connection: the response streams after the request's dependencies have finished.
        with pool.connection() as db:
            yield from user_admin.access_log_csv(db, start, end)

    name = f"hedgerow-access-log-{start.date() if start else 'start'}-to-{until[:10] or 'now'}.csv"
    headers = {**security_headers(settings), "Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers=headers)
