"""The alerts pages: a force's alerts, the form to issue one (a circle drawn on the map, or typed as centre and
radius), an alert's page (devices reached, the reports made from it, its history) with edit and withdraw.

An alert can be started from a report ("Alert farmers about this"): the form then holds only the report's category
and its place to the kilometre; nothing else of the report (no names, no description) is copied unless the
officer types it. Every form posts with the session's CSRF token; a refusal shows the form again with the
officer's words kept and the problem said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from backend.console.geo import coarse_point
from backend.console.render import page
from backend.console.report import load as load_report
from backend.console.session import ConsoleSession, PoliceCsrfDep, PoliceSessionDep
from backend.deps import DbDep, NowDep, SettingsDep
from backend.i18n import N_, _
from backend.routes.alerts import send_soon
from backend.services.alerts import issuing, views
from backend.services.alerts.geometry import force_bounds
from backend.services.errors import DomainError, Invalid, NotFound, plain_message
from backend.services.staff.accounts import can_read_report
from backend.settings import Settings
from core.gridref import grid_reference
from core.uktime import LONDON
from wire.alerts import AlertCreate, AlertUpdate
from wire.categories import CATEGORIES

router = APIRouter(prefix="/console/alerts")

DEFAULT_RADIUS_KM = 5.0
DONE_WORDS = {
    "issued": N_(
        "Alert issued: phones whose places it reaches get it at their next check, within a minute while the "
        "app is open; farmers who chose SMS or email are sent it now."
    ),
    "edited": N_("Alert changed: phones get the change at their next check."),
    "withdrawn": N_("Alert withdrawn: phones drop it at their next check."),
}


def _done_words(done: str) -> str | None:
    return _(DONE_WORDS[done]) if done in DONE_WORDS else None


FIELD_LABELS = {
    "title": N_("Title"),
    "text": N_("Message"),
    "category": N_("Category"),
    "vehicle_registration": N_("Vehicle registration"),
    "area": N_("Area"),
    "area.lat": N_("Centre latitude"),
    "area.lon": N_("Centre longitude"),
    "area.radius_km": N_("Radius"),
    "expires_at": N_("Valid until"),
    "report_id": N_("Report"),
}
Text = Annotated[str, Form(max_length=2100)]
Short = Annotated[str, Form(max_length=200)]


def _posted_alert(
    title: Short = "",
    text: Text = "",
    category: Short = "",
    vehicle_registration: Short = "",
    lat: Short = "",
    lon: Short = "",
    radius_km: Short = "",
    expires: Short = "",
    report_id: Short = "",
) -> dict[str, str]:
    """The alert form's fields as posted, as the form shows them again after a mistake (issuing and editing
    share the form; an edit's report cannot change)."""
    return {
        "title": title,
        "text": text,
        "category": category,
        "vehicle_registration": vehicle_registration,
        "lat": lat,
        "lon": lon,
        "radius_km": radius_km,
        "expires": expires,
        "report_id": report_id,
    }


PostedAlertDep = Annotated[dict[str, str], Depends(_posted_alert)]


def _local_input(moment: datetime) -> str:
    """A time as a datetime-local field shows it: UK time, to the minute."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _typed_time(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("Valid until: give a date and time, like 2026-03-01T14:30") from None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def _problem(exc: ValidationError) -> str:
    """Pydantic's errors in the form's words: 'Radius: Input should be greater than 0'."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{_(FIELD_LABELS[where]) if where in FIELD_LABELS else where}: {plain_message(error['msg'])}")
    return "; ".join(parts)


def _said(exc: DomainError) -> str:
    """A service's refusal in the form's words: 'expires_at: ...' is 'Valid until: ...'."""
    field, colon, rest = str(exc).partition(": ")
    return f"{_(FIELD_LABELS[field])}: {rest}" if colon and field in FIELD_LABELS else str(exc)


def _body(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the API's body; a field left empty is left out (so a missing one is 'required')."""
    area = {k: form[f] for k, f in (("lat", "lat"), ("lon", "lon"), ("radius_km", "radius_km")) if form[f].strip()}
    body: dict[str, Any] = {
        "title": form["title"],
        "text": form["text"],
        "category": form["category"] or None,
        "vehicle_registration": form["vehicle_registration"].strip() or None,
        "area": area,
    }
    return body


def _form_page(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
    alert: dict[str, Any] | None = None,
) -> Response:
    bounds = force_bounds(db, form.get("force") or session.user.force)
    return page(
        request,
        "console/alert_form.html",
        {
            "session": session,
            "form": form,
            "error": error,
            "alert": alert,
            "categories": CATEGORIES,
            "bounds": [[bounds.min_lat, bounds.min_lon], [bounds.max_lat, bounds.max_lon]] if bounds else None,
            "tile_url": request.app.state.settings.tile_url,
        },
        status_code=status,
    )


def _blank_form(now: datetime) -> dict[str, str]:
    return {
        "title": "",
        "text": "",
        "category": "",
        "vehicle_registration": "",
        "lat": "",
        "lon": "",
        "radius_km": f"{DEFAULT_RADIUS_KM:g}",
        "expires": _local_input(now + issuing.DEFAULT_VALID),
        "report_id": "",
    }


@router.get("", response_class=HTMLResponse)
def alerts_page(request: Request, session: PoliceSessionDep, db: DbDep, now: NowDep) -> Response:
    found = views.alerts_for(db, session.user, now)
    done = _done_words(request.query_params.get("done", ""))
    return page(request, "console/alerts.html", {"session": session, "alerts": found, "done": done})


@router.get("/new", response_class=HTMLResponse)
def new_alert(
    request: Request, session: PoliceSessionDep, db: DbDep, now: NowDep, settings: SettingsDep, report: str = ""
) -> Response:
    """The form; from a report, with its category and its place to the kilometre, and nothing else of it."""
    form = _blank_form(now)
    if report:
        row, access = load_report(db, session, report[:40], settings)
        if access != "act":
            raise NotFound("no such report")
        lat, lon = coarse_point(row["lat"], row["lon"])
        form |= {"category": row["category"], "lat": f"{lat:g}", "lon": f"{lon:g}", "report_id": row["id"]}
        form["force"] = row["force"] or ""
    return _form_page(request, db, session, form)


@router.post("", response_class=HTMLResponse)
def issue_alert(
    request: Request,
    session: PoliceCsrfDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    tasks: BackgroundTasks,
    form: PostedAlertDep,
) -> Response:
    try:
        given = {"expires_at": _typed_time(form["expires"]), "report_id": form["report_id"].strip() or None}
        body = _body(form) | given
        alert_id = issuing.issue(db, session.user, AlertCreate.model_validate(body), now, settings)
    except ValidationError as exc:
        return _form_page(request, db, session, form, _problem(exc), 422)
    except DomainError as exc:
        return _form_page(request, db, session, form, _said(exc), exc.status_code)
    send_soon(request, tasks)
    return RedirectResponse(f"/console/alerts/{alert_id}?done=issued", status_code=303)


def _alert_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound("no such alert")
    return int(text)


def _edit_form(row: dict[str, Any]) -> dict[str, str]:
    return {
        "title": row["title"],
        "text": row["text"],
        "category": row["category"] or "",
        "vehicle_registration": row["vehicle_registration"] or "",
        "lat": repr(row["lat"]),
        "lon": repr(row["lon"]),
        "radius_km": f"{row['radius_km']:g}",
        "expires": _local_input(datetime.fromisoformat(row["expires_at"])),
        "report_id": row["report_id"] or "",
        "force": row["force"],
    }


def _alert_page(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    alert_id: int,
    now: datetime,
    settings: Settings,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    row = issuing.managed_alert(db, session.user, alert_id)
    linked = views.linked_report_rows(db, alert_id)
    readable = [r for r in linked if can_read_report(session.user, r)]
    bounds = force_bounds(db, row["force"])
    return page(
        request,
        "console/alert.html",
        {
            "session": session,
            "alert": row,
            "state": views.state(row, now),
            "issued_by": views.staff_view(db, row)["issued_by"],
            "grid_ref": grid_reference(row["lat"], row["lon"], 6),
            "reached": views.devices_reached(db, alert_id),
            "deliveries": views.deliveries(db, alert_id),
            "withdrawal_notices": views.deliveries(db, alert_id, "withdrawn"),
            "linked": readable,
            "linked_elsewhere": len(linked) - len(readable),
            "history": views.history(db, alert_id),
            "form": form or _edit_form(row),
            "categories": CATEGORIES,
            "bounds": [[bounds.min_lat, bounds.min_lon], [bounds.max_lat, bounds.max_lon]] if bounds else None,
            "tile_url": settings.tile_url,
            "error": error,
            "done": _done_words(request.query_params.get("done", "")),
        },
        status_code=status,
    )


@router.get("/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request, alert_id: str, session: PoliceSessionDep, db: DbDep, now: NowDep, settings: SettingsDep
) -> Response:
    return _alert_page(request, db, session, _alert_id(alert_id), now, settings)


@router.post("/{alert_id}", response_class=HTMLResponse)
def edit_alert(
    request: Request,
    alert_id: str,
    session: PoliceCsrfDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    tasks: BackgroundTasks,
    posted: PostedAlertDep,
) -> Response:
    number = _alert_id(alert_id)
    row = issuing.managed_alert(db, session.user, number)
    expires = posted["expires"]
    form = _edit_form(row) | {k: v for k, v in posted.items() if k != "report_id"}  # an alert keeps its report
    try:
        body = _body(form)
        typed = _typed_time(expires)
        # The field shows the end to the minute: the same minute typed back leaves the end as it was.
        if typed is not None and _local_input(typed) != _edit_form(row)["expires"]:
            body["expires_at"] = typed
        issuing.edit(db, session.user, number, AlertUpdate.model_validate(body), now, settings)
    except ValidationError as exc:
        return _alert_page(request, db, session, number, now, settings, _problem(exc), form, 422)
    except DomainError as exc:
        return _alert_page(request, db, session, number, now, settings, _said(exc), form, exc.status_code)
    send_soon(request, tasks)
    return RedirectResponse(f"/console/alerts/{number}?done=edited", status_code=303)


@router.post("/{alert_id}/withdraw", response_class=HTMLResponse)
def withdraw_alert(
    alert_id: str,
    session: PoliceCsrfDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
    tasks: BackgroundTasks,
) -> Response:
    number = _alert_id(alert_id)
    issuing.edit(db, session.user, number, AlertUpdate(withdrawn=True), now, settings)
    send_soon(request, tasks)  # word of the withdrawal to those who were sent the alert
    return RedirectResponse(f"/console/alerts/{number}?done=withdrawn", status_code=303)
