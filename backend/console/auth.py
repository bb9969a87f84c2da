"""Log in and out of the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.console.session import COOKIE, CsrfSessionDep, templates
from backend.deps import DbDep, NowDep, SettingsDep, client_ip
from backend.security import login_delay_s, record_login_failure
from backend.services import staff

router = APIRouter(prefix="/console")


def _safe_next(next_url: str) -> str:
    # Only ever redirect within the console: an open redirect would help a phishing page.
    return next_url if next_url.startswith("/console") and "//" not in next_url else "/console"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/console") -> Response:
    return templates.TemplateResponse(request, "console/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> Response:
    ip = client_ip(request)
    context = {"next": _safe_next(next), "username": username}
    wait = login_delay_s(db, username, ip, settings.login_failures_allowed, now)
    if wait:
        return templates.TemplateResponse(
            request,
            "console/login.html",
            {**context, "error": f"Too many failed attempts. Try again in {wait} seconds."},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = staff.authenticate(db, username, password) if username and password else None
    if user is None:
        record_login_failure(db, username, ip, now)
        return templates.TemplateResponse(
            request,
            "console/login.html",
            {**context, "error": "Wrong username or password."},
            status_code=401,
        )
    session_id, _csrf = staff.start_session(db, user, now, settings.session_hours)
    target = _safe_next(next) if user.role != "nfu" else "/console/nfu"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=settings.behind_proxy,
        path="/",
    )
    return response


@router.post("/logout")
def logout(session: CsrfSessionDep, db: DbDep) -> Response:
    staff.end_session(db, session.session_id)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
