"""The console's landing pages: the force's newest reports for police, the role's own page for the NFU."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.session import PoliceSessionDep, SessionDep, templates
from backend.deps import DbDep

router = APIRouter(prefix="/console")


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: PoliceSessionDep, db: DbDep) -> Response:
    user = session.user
    where, params = ("", []) if user.role == "admin" else ("WHERE force = ?", [user.force])
    rows = db.execute(
        f"SELECT id, category, status, received_at, place_name, force FROM reports {where} "
        "ORDER BY received_at DESC LIMIT 50",
        params,
    ).fetchall()
    return templates.TemplateResponse(request, "console/home.html", {"session": session, "reports": rows})


@router.get("/nfu", response_class=HTMLResponse)
def nfu_home(request: Request, session: SessionDep) -> Response:
    return templates.TemplateResponse(request, "console/nfu.html", {"session": session})
