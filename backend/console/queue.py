"""The queue page: the force's reports, most overdue first, with filters, search, paging and bulk actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.console.render import STATUS_WORDS, page, relative, words
from backend.console.session import ConsoleSession, PoliceCsrfDep, PoliceSessionDep
from backend.deps import DbDep, NowDep, SettingsDep
from backend.i18n import _, ngettext
from backend.schemas import CLOSE_OUTCOMES
from backend.services.areas import boundaries
from backend.services.clocks.policy import FLAGS
from backend.services.errors import Invalid
from backend.services.intake.farmer_text import outcome_words
from backend.services.staff import user_admin
from backend.services.triage import actions, queue
from wire.categories import CATEGORIES

router = APIRouter(prefix="/console")

FILTER_FIELDS = (
    "view",
    "status",
    "flag",
    "category",
    "area",
    "assigned",
    "from",
    "to",
    "q",
    "scope",
    "sort",
    "force",
)
# Officers start a shift with what came in; supervisors with what is late.
DEFAULT_VIEW = {"officer": "new", "supervisor": "overdue", "admin": "overdue"}
Text = Annotated[str, Query(max_length=200)]


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("%(name)s must be a date like 2026-03-01") % {"name": name}) from None


def _choice(value: str, allowed: tuple[str, ...], name: str, default: str) -> str:
    if not value:
        return default
    if value not in allowed:
        raise Invalid(_("%(name)s must be one of %(choices)s") % {"name": name, "choices": ", ".join(allowed)})
    return value


def chosen_view(session: ConsoleSession, db: DbDep, params: dict[str, str]) -> str:
    """The view asked for (and kept for next time), else the one this user chose last, else their role's."""
    asked = params.get("view", "")
    if asked:
        view = _choice(asked, tuple(queue.VIEWS), "view", "new")
        user_admin.remember_queue_view(db, session.user.id, view)
        return view
    return user_admin.queue_view(db, session.user.id) or DEFAULT_VIEW.get(session.user.role, "overdue")


def queue_filter(
    session: ConsoleSession, db: DbDep, settings: SettingsDep, params: dict[str, str], now: datetime
) -> queue.QueueFilter:
    """The queue's filter from the query string, for the queue and the map alike. Raises Invalid.

    The view is the starting point; a search, a status, a flag or an order asked for takes over from it."""
    user = session.user
    view = chosen_view(session, db, params)
    preset = queue.view_preset(view, now) if not any(params.get(k) for k in ("q", "status", "sort", "flag")) else {}
    if user.role == "admin":
        known = boundaries.forces(db)
        force = params.get("force") or (known[0] if known else "")
        if force not in known:
            raise Invalid(_("no such force"))
    else:
        force = user.force or ""
    area = params.get("area", "")
    if area and not area.isdigit():
        raise Invalid(_("area must be an area's number"))
    text = params.get("q", "").strip()
    status_default = "any" if text else "open"
    return queue.QueueFilter(
        force=force,
        scope=_choice(params.get("scope", ""), ("force", "border"), "scope", "force"),  # type: ignore[arg-type]
        status=_choice(params.get("status", ""), queue.STATUS_CHOICES, "status", preset.get("status", status_default)),
        flag=_choice(params.get("flag", ""), FLAGS, "flag", "") or None,
        category=_choice(params.get("category", ""), tuple(c.code for c in CATEGORIES), "category", "") or None,
        area_id=int(area) if area else None,
        assigned=_choice(params.get("assigned", ""), ("any", "me", "none"), "assigned", "any"),  # type: ignore[arg-type]
        user_id=user.id,
        received_from=_date(params.get("from", ""), "from"),
        received_to=_date(params.get("to", ""), "to"),
        text=text,
        sort=_choice(params.get("sort", ""), ("due", "newest"), "sort", preset.get("sort", "due")),  # type: ignore[arg-type]
        border_m=settings.border_km * 1000,
        due_from_s=preset.get("due_from_s"),
        due_before_s=preset.get("due_before_s"),
    )


def filter_params(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:200] for k in FILTER_FIELDS if request.query_params.get(k)}


def caption_for(f: queue.QueueFilter, order: str) -> str:
    if f.scope == "border":
        scope = _("near %(force)s's border (other forces' reports, read only)") % {"force": f.force}
    else:
        scope = f.force
    status = {"open": _("open"), "any": _("open and closed")}.get(f.status) or words(STATUS_WORDS, f.status).lower()
    due = _("most overdue or soonest due first")
    if f.due_from_s is not None:
        due = _("not yet overdue, the next due first")
    elif f.due_before_s is not None:
        due = _("overdue, the longest overdue first")
    how = {
        "due": due,
        "newest": _("newest first"),
        "text": _("matching “%(text)s”, newest first") % {"text": f.text},
    }[order]
    return _("Reports of %(scope)s: %(status)s, %(how)s") % {"scope": scope, "status": status, "how": how}


def _bulk_message(request: Request) -> str | None:
    q = request.query_params
    if q.get("bulk") not in ("acknowledged", "assigned", "closed"):
        return None
    try:
        done, skipped = int(q.get("n", "0")), int(q.get("skipped", "0"))
    except ValueError:
        return None
    message = {
        "acknowledged": ngettext("Acknowledged %(n)d report.", "Acknowledged %(n)d reports.", done),
        "assigned": ngettext("Assigned %(n)d report.", "Assigned %(n)d reports.", done),
        "closed": ngettext("Closed %(n)d report.", "Closed %(n)d reports.", done),
    }[q["bulk"]] % {"n": done}
    if skipped:
        message += " " + _("%(n)d skipped (closed, already done, or not your force's).") % {"n": skipped}
    return message


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: PoliceSessionDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    after: Text = "",
    before: Text = "",
) -> Response:
    params = filter_params(request)
    f = queue_filter(session, db, settings, params, now)
    view = chosen_view(session, db, {})
    result = queue.page(db, f, after=after or None, before=before or None)
    officers = user_admin.officers_of(db, f.force)
    names = {o.id: o.display_name for o in officers}
    areas = boundaries.areas_of(db, f.force)
    query = urlencode(params)
    return page(
        request,
        "console/queue.html",
        {
            "session": session,
            "f": f,
            "params": params,
            "query": query,
            "result": result,
            "caption": caption_for(f, result.order),
            "view": view,
            "views": {code: _(label) for code, label in queue.VIEWS.items()},
            "outcomes": [(o, outcome_words(o)) for o in CLOSE_OUTCOMES if o != "duplicate"],
            "names": names,
            "officers": officers,
            "areas": areas,
            "forces": boundaries.forces(db) if session.user.role == "admin" else [],
            "categories": CATEGORIES,
            "flags": FLAGS,
            "statuses": queue.STATUS_CHOICES,
            "now": now,
            "relative": relative,
            "message": _bulk_message(request),
            "back": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


def _safe_back(back: str) -> str:
    """The queue page the form came from, without an earlier action's message; never outside the console."""
    if not back.startswith("/console") or "//" in back or "\\" in back:
        return "/console"
    parts = urlsplit(back)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("bulk", "n", "skipped")]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


@router.post("/bulk")
def bulk_action(
    session: PoliceCsrfDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    action: Annotated[str, Form(max_length=20)],
    report_ids: Annotated[list[str], Form(max_length=actions.MAX_BULK)] = [],  # noqa: B006 (FastAPI copies it)
    assignee: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    kinds = {"acknowledge": "acknowledged", "assign": "assigned", "close": "closed"}
    if action not in kinds:
        raise Invalid(_("action must be acknowledge, assign or close"))
    if action == "close" and outcome not in CLOSE_OUTCOMES:
        raise Invalid(_("choose the outcome to close the reports with"))
    if assignee and not assignee.isdigit():
        raise Invalid(_("choose an officer from the list"))
    result = actions.bulk(
        db,
        session.user,
        report_ids,
        kinds[action],
        now,
        settings,
        int(assignee) if assignee else None,  # type: ignore[arg-type]
        outcome=outcome or None,
        text=reason,
    )
    target = _safe_back(back)
    flash = urlencode({"bulk": kinds[action], "n": len(result.done), "skipped": len(result.skipped)})
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{flash}", status_code=303)
