"""The response policy page: the targets in force for the force, and a supervisor's overrides (through the
policy service of the response clocks; a change applies to reports received from now on)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.console.admin import SupervisorCsrfDep, SupervisorDep, all_forces, managed_force
from backend.console.render import category_label, page
from backend.console.session import ConsoleSession
from backend.deps import DbDep, NowDep
from backend.services.clocks import policy
from backend.services.errors import Invalid
from backend.writes import write
from wire.categories import CATEGORIES

router = APIRouter(prefix="/console/admin/policy")


def _render(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    force: str,
    now: NowDep,
    error: str | None = None,
    status: int = 200,
) -> Response:
    table: dict[str, dict[str, dict[str, str]]] = {}
    for row in policy.resolved_table(db, force, now):
        table.setdefault(row["category"], {})[row["clock"]] = row
    return page(
        request,
        "console/policy.html",
        {
            "session": session,
            "force": force,
            "forces": all_forces(session, db),
            "specs": policy.clock_specs(),
            "table": table,
            "categories": CATEGORIES,
            "category_label": category_label,
            "history": [h for h in policy.history(db, force) if h["force"] == force][-50:],
            "done": request.query_params.get("done") == "saved",
            "error": error,
        },
        status_code=status,
    )


@router.get("", response_class=HTMLResponse)
def policy_page(request: Request, session: SupervisorDep, db: DbDep, now: NowDep, force: str = "") -> Response:
    return _render(request, db, session, managed_force(session, db, force[:200]), now)


@router.post("", response_class=HTMLResponse)
def set_target(
    request: Request,
    session: SupervisorCsrfDep,
    db: DbDep,
    now: NowDep,
    clock: Annotated[str, Form(max_length=40)],
    target: Annotated[str, Form(max_length=40)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    force = managed_force(session, db, force)
    user = session.user
    try:
        with write(db):
            policy.set_override(
                db, force, clock, category or None, target.strip() or None, f"user {user.id} ({user.username})", now
            )
    except Invalid as exc:
        return _render(request, db, session, force, now, str(exc), 422)
    return RedirectResponse(f"/console/admin/policy?{urlencode({'force': force, 'done': 'saved'})}", 303)
