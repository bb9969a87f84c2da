"""The replication page: Litestream's state, the replica's lag, the photos waiting, and the last restore drills."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.admin import AdminDep
from backend.console.render import page
from backend.deps import DbDep
from backend.services.replication import drills

router = APIRouter(prefix="/console/admin")


@router.get("/replication", response_class=HTMLResponse)
def replication_page(request: Request, session: AdminDep, db: DbDep) -> Response:
    replication = request.app.state.replication
    state = replication.status() if replication is not None else None
    context = {"session": session, "state": state, "drills": drills.recent(db)}
    return page(request, "console/replication.html", context)
