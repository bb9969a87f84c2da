"""Log in and out of the console."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.console import login_csrf
from backend.console.language import remember_visitor_choice
from backend.console.render import page
from backend.console.session import COOKIE, CsrfSessionDep
from backend.deps import DbDep, NowDep, SettingsDep, client_ip
from backend.i18n import _
from backend.security import login_delay_s, record_login_failure
from backend.services.staff import accounts
from backend.settings import Settings

router = APIRouter(prefix="/console")


def _safe_next(next_url: str) -> str:
    # Only ever redirect within the console: an open redirect would help a phishing page.
    return next_url if next_url.startswith("/console") and "//" not in next_url else "/console"


def _login_page(
    request: Request,
    settings: Settings,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The login form, with the pre-session token in a hidden field and in its cookie (see login_csrf)."""
    token = login_csrf.token_for(request)
    response = page(request, "console/login.html", {**context, "csrf_token": token}, status_code, headers)
    login_csrf.set_cookie(response, token, settings)
    remember_visitor_choice(request, response, settings)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, next: str = "/console") -> Response:
    return _login_page(request, settings, {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    ip = client_ip(request)
    context = {"next": _safe_next(next), "username": username}
    # Checked before the password, so that a forged post neither logs in nor counts as a failed attempt.
    refused = login_csrf.refusal(request, csrf_token, settings)
    if refused:
        return _login_page(request, settings, {**context, "error": refused}, status_code=403)
    wait = login_delay_s(db, username, ip, settings.login_failures_allowed, now)
    if wait:
        return _login_page(
            request,
            settings,
            {**context, "error": _("Too many failed attempts. Try again in %(seconds)d seconds.") % {"seconds": wait}},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = accounts.authenticate(db, username, password) if username and password else None
    if user is None:
        record_login_failure(db, username, ip, now)
        return _login_page(request, settings, {**context, "error": _("Wrong username or password.")}, status_code=401)
    session_id, _csrf = accounts.start_session(db, user, now, settings.session_hours)
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
def logout(session: CsrfSessionDep, db: DbDep, settings: SettingsDep) -> Response:
    accounts.end_session(db, session.session_id)
    response = RedirectResponse("/console/login", status_code=303)
    # The same attributes as the cookie it replaces (a browser may keep a cookie set differently).
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=settings.behind_proxy)
    return response
