"""The report page: everything the farmer sent, the clocks, the timeline, linked reports, and the actions.

Each action is one POST of a plain HTML form (no JavaScript needed) that records one event and comes back to
the page, where the event shows at once. A cross-border reader (another force's officer, the report being near
their border) sees the report read-only, without the reporter's contact details, internal notes or originals,
and its place only to the square kilometre: exact farm locations go only to the officers of the area.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from backend.console import timeline
from backend.console.geo import coarse_point
from backend.console.render import category_label, local_time, page, security_headers
from backend.console.session import ConsoleSession, PoliceCsrfDep, PoliceSessionDep
from backend.deps import DbDep, NowDep, SettingsDep
from backend.i18n import N_, _, force_name, speaking, wire_label
from backend.schemas import CLOSE_OUTCOMES, EventCreate
from backend.services.clocks import response_clocks
from backend.services.clocks.policy import FLAGS
from backend.services.errors import Conflict, Forbidden, Invalid, NotFound, plain_message
from backend.services.intake import devices, photos, report_views, reports
from backend.services.intake.farmer_text import outcome_words
from backend.services.intake.photos import blob_path
from backend.services.retention import holds
from backend.services.staff import accounts, user_admin
from backend.services.triage import actions, linked, update_templates
from backend.settings import Settings
from core.gridref import grid_reference
from core.uktime import LONDON
from wire.categories import BY_CODE

router = APIRouter(prefix="/console/reports")

ACTION_WORDS = {
    "acknowledged": N_("Acknowledged."),
    "assigned": N_("Assigned."),
    "reference_added": N_("Crime reference added."),
    "contacted": N_("Contact recorded."),
    "attended": N_("Attendance recorded."),
    "decision": N_("Decision recorded."),
    "update_sent": N_("Update sent: the farmer's app shows it at its next check."),
    "note": N_("Internal note added (not shown to the farmer)."),
    "closed": N_("Report closed."),
    "reopened": N_("Report reopened."),
    "hold_placed": N_("Kept as evidence: this report will not be purged while the hold stands."),
    "hold_removed": N_("Hold removed: the retention policy applies to this report again."),
}


def load(
    db: DbDep, session: ConsoleSession, report_id: str, settings: Settings
) -> tuple[dict[str, Any], accounts.Access]:
    """The report and how this user may use it; NotFound when they may not see it at all."""
    try:
        report_id = str(uuid.UUID(report_id))
    except ValueError:
        raise NotFound(_("no such report")) from None
    row = reports.report_row(db, report_id)
    access = accounts.report_access(db, session.user, row, settings.border_km)
    if access is None:
        raise NotFound(_("no such report"))
    return row, access


def _details(row: dict[str, Any], details: dict[str, Any]) -> list[tuple[str, str]]:
    category = BY_CODE.get(row["category"])
    fields = {f.name: f for f in category.fields} if category else {}
    shown = []
    for name, value in details.items():
        field = fields.get(name)
        # A choice is one of the category's own words (translated with them); anything else is the farmer's.
        chosen = wire_label if field is not None and field.choices else str
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, list):
            text = ", ".join(chosen(str(v)) for v in value)
        else:
            text = chosen(str(value))
        shown.append((wire_label(field.label) if field else name, text))
    return shown


def context(
    db: DbDep,
    session: ConsoleSession,
    row: dict[str, Any],
    access: accounts.Access,
    now: datetime,
    settings: Settings,
    error: str | None = None,
    form: dict[str, str] | None = None,
    template_id: str | None = None,
) -> dict[str, Any]:
    user = session.user
    acting = access == "act"
    view = report_views.staff_view(db, row, owning_force=acting)
    report_clocks = response_clocks.report_clocks(db, row["id"], now)
    reader_force = None if user.role == "admin" else user.force
    officers = user_admin.officers_of(db, row["force"]) if acting and row["force"] else []
    # Officers write to the farmer in the language the farmer reads: its templates, filled in in it.
    reads = devices.language_of(db, row["device_id"])
    force_templates = update_templates.for_force(db, row["force"], reads) if acting and row["force"] else []
    with speaking(reads):
        values = update_templates.values_for(
            row,
            user.display_name,
            category_label(row["category"]),
            local_time(row["received_at"], "%d %B %Y"),
            force_name(row["force"] or ""),
        )
    update_text = (form or {}).get("text", "") if (form or {}).get("kind") == "update_sent" else ""
    if template_id:
        chosen = next((t for t in force_templates if str(t.id or t.title) == template_id), None)
        if chosen is not None:
            update_text = chosen.filled(values)
    return {
        "session": session,
        "report": view,
        "row": row,
        "access": access,
        "category": BY_CODE.get(row["category"]),
        "details": _details(row, view["details"]),
        "grid_ref": grid_reference(row["lat"], row["lon"], 10 if acting else 4),
        "point": (row["lat"], row["lon"]) if acting else coarse_point(row["lat"], row["lon"]),
        "provenance": photos.provenance(db, row),
        "clocks": report_clocks.clocks if report_clocks else (),
        # The clocks as they stand now (an action stops one, and settles its flags, in the same transaction).
        "flags": [f for f in FLAGS if report_clocks and f in report_clocks.overdue_flags()],
        "call_mark": report_clocks.call_mark if report_clocks else None,
        "timeline": timeline.items(db, view["timeline"], include_internal=acting),
        "linked": linked.linked_reports(db, row, reader_force, settings.border_km * 1000),
        "officers": officers,
        "templates": [(str(t.id or t.title), t.title, t.filled(values)) for t in force_templates],
        "update_text": update_text,
        "outcomes": [(o, outcome_words(o)) for o in CLOSE_OUTCOMES if o != "duplicate"],
        "farmer_reads": reads,
        "tile_url": settings.tile_url,
        "now": now,
        "error": error,
        "form": form or {},
        "hold": holds.hold_of(db, row["id"]) if acting else None,
        "can_hold": user.is_police,
    }


@router.get("/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    report_id: str,
    session: PoliceSessionDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    template: str = "",
) -> Response:
    row, access = load(db, session, report_id, settings)
    accounts.log_read(db, session.user, row["id"], "console" if access == "act" else "console-border", now)
    ctx = context(db, session, row, access, now, settings, template_id=template[:100] or None)
    done = ACTION_WORDS.get(request.query_params.get("done", ""))
    ctx["done"] = _(done) if done else None
    return page(request, "console/report.html", ctx)


def _at(value: str) -> datetime | None:
    """The optional 'when' of an action, typed in UK local time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(_("the time must look like 2026-03-01T14:30")) from None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


@router.post("/{report_id}/actions", response_class=HTMLResponse)
def report_action(
    request: Request,
    report_id: str,
    session: PoliceCsrfDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    kind: Annotated[str, Form(max_length=40)],
    text: Annotated[str, Form(max_length=5000)] = "",
    reference: Annotated[str, Form(max_length=60)] = "",
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
    user_id: Annotated[str, Form(max_length=20)] = "",
    duplicate_of: Annotated[str, Form(max_length=40)] = "",
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    row, access = load(db, session, report_id, settings)
    if access != "act":
        raise Forbidden(_("this report belongs to %(force)s: you can read it, not act on it") % {"force": row["force"]})
    form = {"kind": kind, "text": text, "reference": reference, "reason": reason}
    fields: dict[str, Any] = {
        "kind": kind,
        "text": text.strip() or None,
        "reference": reference.strip() or None,
        "decision": decision or None,
        "reason": reason.strip() or None,
        "outcome": outcome or None,
        "duplicate_of": duplicate_of.strip().lower() or None,
    }
    try:
        if user_id:
            if not user_id.isdigit():
                raise Invalid(_("choose an officer from the list"))
            fields["user_id"] = int(user_id)
        fields["at"] = _at(at)
        if fields["duplicate_of"]:
            fields["kind"], fields["outcome"] = "closed", "duplicate"
            try:
                fields["duplicate_of"] = str(uuid.UUID(fields["duplicate_of"]))
            except ValueError:
                raise Invalid(_("give the full id of the other report (as in its page's address)")) from None
        body = EventCreate.model_validate(fields)
        actions.record_action(db, session.user, row["id"], body, now, settings)
    except ValidationError as exc:
        message = "; ".join(plain_message(e["msg"]) for e in exc.errors())
        return _again(request, db, session, report_id, now, settings, message, form, 422)
    except (Invalid, Conflict) as exc:  # EventRefused is a Conflict: 409
        return _again(request, db, session, report_id, now, settings, str(exc), form, exc.status_code)
    return RedirectResponse(f"/console/reports/{row['id']}?done={body.kind}#timeline", status_code=303)


def _again(
    request: Request,
    db: DbDep,
    session: ConsoleSession,
    report_id: str,
    now: datetime,
    settings: Settings,
    error: str,
    form: dict[str, str],
    status: int,
) -> Response:
    """The page again with the officer's words kept and the problem said, nothing recorded."""
    row, access = load(db, session, report_id, settings)
    return page(request, "console/report.html", context(db, session, row, access, now, settings, error, form), status)


@router.get("/{report_id}/photos/{photo_id}/{variant}")
def photo(
    report_id: str,
    photo_id: str,
    variant: str,
    session: PoliceSessionDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """A stripped, downscaled copy (thumb, display) for any reader; the original for the force's own officers,
    with the access logged (it keeps the EXIF, with where the photo was taken)."""
    row, access = load(db, session, report_id, settings)
    if variant not in ("thumb", "display", "original"):
        raise NotFound(_("no such photo"))
    if variant == "original" and access != "act":
        raise Forbidden(_("originals are for the officers of the report's force"))
    found = photos.received_photo(db, row["id"], photo_id)
    if found is None:
        raise NotFound(_("no such photo, or it has not arrived yet"))
    path = blob_path(settings.photos_dir, found["sha256"], variant, found["content_type"])
    if not path.exists():
        raise NotFound(_("the photo's file is missing"))
    if variant == "original":
        accounts.log_read(db, session.user, row["id"], "photo-original", now)
    media = found["content_type"] if variant == "original" else "image/jpeg"
    return FileResponse(path, media_type=media, headers=security_headers(settings))
