"""The users page: a supervisor adds, disables and re-enables their force's officers and sets their passwords."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.console.admin import SupervisorCsrfDep, SupervisorDep, all_forces, managed_force
from backend.console.render import page
from backend.console.session import ConsoleSession
from backend.deps import DbDep, NowDep
from backend.i18n import N_, _
from backend.services.errors import Conflict, Invalid
from backend.services.staff import user_admin

router = APIRouter(prefix="/console/admin/users")

DONE = {
    "added": N_("User added. Give them their password in person or by phone, never by email."),
    "disabled": N_("Account disabled: its sessions and API tokens stop working now."),
    "enabled": N_("Account enabled again."),
    "password": N_("Password changed; the user's open sessions were ended."),
}


def _render(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    force: str,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "console/users.html",
        {
            "session": session,
            "force": force,
            "forces": all_forces(session, db),
            "users": user_admin.users_of(db, session.user, force),
            "roles": user_admin.MANAGED_ROLES,
            "done": _(DONE[done]) if (done := request.query_params.get("done", "")) in DONE else None,
            "error": error,
            "form": form or {},
        },
        status_code=status,
    )


def _back(force: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/admin/users?{urlencode({'force': force, 'done': done})}", status_code=303)


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, session: SupervisorDep, db: DbDep, force: str = "") -> Response:
    return _render(request, db, session, managed_force(session, db, force[:200]))


@router.post("", response_class=HTMLResponse)
def add_user(
    request: Request,
    session: SupervisorCsrfDep,
    db: DbDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=20)],
    display_name: Annotated[str, Form(max_length=120)] = "",
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    force = managed_force(session, db, force)
    try:
        user_admin.add(db, session.user, force, username, display_name, role, password, now)
    except (Invalid, Conflict) as exc:
        form = {"username": username, "display_name": display_name, "role": role}
        return _render(request, db, session, force, str(exc), form, exc.status_code)
    return _back(force, "added")


@router.post("/{user_id}/disable")
def disable_user(session: SupervisorCsrfDep, db: DbDep, now: NowDep, user_id: int) -> Response:
    user_admin.set_disabled(db, session.user, user_id, True, now)
    return _back(user_admin.force_of(db, user_id), "disabled")


@router.post("/{user_id}/enable")
def enable_user(session: SupervisorCsrfDep, db: DbDep, now: NowDep, user_id: int) -> Response:
    user_admin.set_disabled(db, session.user, user_id, False, now)
    return _back(user_admin.force_of(db, user_id), "enabled")


@router.post("/{user_id}/password")
def set_password(
    session: SupervisorCsrfDep, db: DbDep, user_id: int, password: Annotated[str, Form(max_length=1000)]
) -> Response:
    user_admin.set_password(db, session.user, user_id, password)
    return _back(user_admin.force_of(db, user_id), "password")
