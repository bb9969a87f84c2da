"""Console sessions: who is logged in, and the CSRF check every form post goes through."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.templating import Jinja2Templates

from backend.deps import DbDep, NowDep
from backend.i18n import _
from backend.services.staff.accounts import StaffUser, session_user

COOKIE = "hedgerow_session"
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


@dataclass(frozen=True)
class ConsoleSession:
    user: StaffUser
    csrf: str
    session_id: str


class LoginRequired(Exception):
    """Raised by a console page with no session; answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def optional_session(request: Request, db: DbDep, now: NowDep) -> ConsoleSession | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    found = session_user(db, session_id, now)
    return ConsoleSession(found[0], found[1], session_id) if found else None


def optional_session_for(request: Request) -> ConsoleSession | None:
    """The session of a request outside dependency injection (the error pages' header)."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    with request.app.state.pool.connection() as db:
        found = session_user(db, session_id, request.app.state.clock())
    return ConsoleSession(found[0], found[1], session_id) if found else None


def require_session(
    request: Request, session: Annotated[ConsoleSession | None, Depends(optional_session)]
) -> ConsoleSession:
    if session is None:
        raise LoginRequired(str(request.url.path))
    return session


def require_police(session: Annotated[ConsoleSession, Depends(require_session)]) -> ConsoleSession:
    """The console's report pages are for officers, supervisors and admins; NFU users get a 403."""
    if session.user.role not in ("officer", "supervisor", "admin"):
        raise HTTPException(403, _("the console is for police staff; NFU users see the summaries"))
    return session


def check_csrf(
    session: Annotated[ConsoleSession, Depends(require_session)], csrf_token: Annotated[str, Form()] = ""
) -> ConsoleSession:
    if not csrf_token or not hmac.compare_digest(csrf_token, session.csrf):
        raise HTTPException(403, _("the form has expired or did not come from Hedgerow; reload the page and try again"))
    return session


def check_police_csrf(
    session: Annotated[ConsoleSession, Depends(require_police)], csrf_token: Annotated[str, Form()] = ""
) -> ConsoleSession:
    return check_csrf(session, csrf_token)


SessionDep = Annotated[ConsoleSession, Depends(require_session)]
PoliceSessionDep = Annotated[ConsoleSession, Depends(require_police)]
CsrfSessionDep = Annotated[ConsoleSession, Depends(check_csrf)]
# A form post by police staff: logged in (else to the login page), police (else 403), CSRF token checked (else 403).
PoliceCsrfDep = Annotated[ConsoleSession, Depends(check_police_csrf)]
