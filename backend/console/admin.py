"""The supervisors' pages: a landing page, and who may use them (a force's supervisors, and admins for any force)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.render import page
from backend.console.session import ConsoleSession, check_csrf, require_police
from backend.deps import DbDep
from backend.i18n import _
from backend.services.areas import boundaries
from backend.services.errors import Invalid

router = APIRouter(prefix="/console/admin")


def require_supervisor(session: Annotated[ConsoleSession, Depends(require_police)]) -> ConsoleSession:
    if session.user.role not in ("supervisor", "admin"):
        raise HTTPException(403, _("these pages are for supervisors and admins"))
    return session


def require_supervisor_csrf(
    session: Annotated[ConsoleSession, Depends(require_supervisor)], csrf_token: Annotated[str, Form()] = ""
) -> ConsoleSession:
    return check_csrf(session, csrf_token)


def require_admin(session: Annotated[ConsoleSession, Depends(require_police)]) -> ConsoleSession:
    if session.user.role != "admin":
        raise HTTPException(403, _("only admins may do this"))
    return session


SupervisorDep = Annotated[ConsoleSession, Depends(require_supervisor)]
SupervisorCsrfDep = Annotated[ConsoleSession, Depends(require_supervisor_csrf)]
AdminDep = Annotated[ConsoleSession, Depends(require_admin)]


def managed_force(session: ConsoleSession, db: DbDep, force: str) -> str:
    """A supervisor manages their own force; an admin names one (the first, alphabetically, by default)."""
    if session.user.role != "admin":
        return session.user.force or ""
    known = boundaries.forces(db)
    if not force:
        if not known:
            raise Invalid(_("import the areas first: there is no force yet"))
        return known[0]
    if force not in known:
        raise Invalid(_("no such force"))
    return force


def all_forces(session: ConsoleSession, db: DbDep) -> list[str]:
    if session.user.role != "admin":
        return []
    return boundaries.forces(db)


@router.get("", response_class=HTMLResponse)
def admin_home(request: Request, session: SupervisorDep) -> Response:
    return page(request, "console/admin.html", {"session": session})
