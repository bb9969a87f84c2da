"""The update templates page: a force's supervisors write the texts officers start from when updating a farmer."""

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
from backend.services.triage import update_templates
from core.i18n import LANGUAGES

router = APIRouter(prefix="/console/admin/templates")

DONE = {"saved": N_("Template saved."), "deleted": N_("Template deleted.")}


def _render(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    force: str,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    own = update_templates.stored(db, force)
    written_in = {t.language for t in own}
    return page(
        request,
        "console/update_templates.html",
        {
            "session": session,
            "force": force,
            "forces": all_forces(session, db),
            "own": own,
            # Per language, the built-in templates officers are offered until the force writes its own in it.
            "built_in": {lang: update_templates.built_in(lang) for lang in LANGUAGES if lang not in written_in},
            "languages": LANGUAGES,
            "placeholders": update_templates.PLACEHOLDERS,
            "done": _(DONE[done]) if (done := request.query_params.get("done", "")) in DONE else None,
            "error": error,
            "form": form or {},
        },
        status_code=status,
    )


@router.get("", response_class=HTMLResponse)
def templates_page(request: Request, session: SupervisorDep, db: DbDep, force: str = "") -> Response:
    return _render(request, db, session, managed_force(session, db, force[:200]))


@router.post("", response_class=HTMLResponse)
def save_template(
    request: Request,
    session: SupervisorCsrfDep,
    db: DbDep,
    now: NowDep,
    title: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=update_templates.MAX_BODY + 100)],
    template_id: Annotated[str, Form(max_length=20)] = "",
    force: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    force = managed_force(session, db, force)
    try:
        if template_id and not template_id.isdigit():
            raise Invalid(_("no such template"))
        chosen_id = int(template_id) if template_id else None
        update_templates.save(db, force, title, body, session.user.id, now, chosen_id, language)
    except (Invalid, Conflict) as exc:
        form = {"title": title, "body": body, "template_id": template_id, "language": language}
        return _render(request, db, session, force, str(exc), form, exc.status_code)
    return RedirectResponse(f"/console/admin/templates?{urlencode({'force': force, 'done': 'saved'})}", 303)


@router.post("/{template_id}/delete")
def delete_template(
    session: SupervisorCsrfDep, db: DbDep, template_id: int, force: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    force = managed_force(session, db, force)
    update_templates.delete(db, force, template_id)
    return RedirectResponse(f"/console/admin/templates?{urlencode({'force': force, 'done': 'deleted'})}", 303)
