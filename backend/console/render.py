"""Rendering console pages: the words for codes, UK times, security headers, and HTML error pages.

Jinja2 autoescapes every value in the .html templates, so a description of `<script>` is shown as text; the
Content-Security-Policy below is a second line: only the console's own scripts run, and images come only from
the backend and the configured tile server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from backend.console.session import optional_session_for, templates
from backend.services.intake.farmer_text import OUTCOME_WORDS
from backend.settings import Settings
from core.uktime import LONDON
from wire.categories import BY_CODE

FLAG_WORDS = {
    "unanswered": "Not answered",
    "no_reference": "No crime reference",
    "no_decision": "No decision",
    "no_update": "Farmer not updated",
    "attendance_late": "Attendance late",
}
# Flags that mean a victim is waiting on the police now are red; the rest amber. Always with the words.
FLAG_LEVEL = {"unanswered": "red", "attendance_late": "red"}
STATUS_WORDS = {
    "received": "Received",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "closed": "Closed",
}
CLOCK_STATE_WORDS = {
    "running": "Running",
    "met": "Met",
    "met_late": "Met late",
    "breached": "Overdue",
    "not_applicable": "Does not apply",
}


def local_time(value: str | datetime | None, fmt: str = "%a %d %b %Y %H:%M") -> str:
    """An ISO time or datetime as UK local time (what officers and farmers read)."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).strftime(fmt)


def relative(moment: datetime | None, now: datetime) -> str:
    """'overdue by 2 days' / 'due in 3 hours': a difference of two stored times, in words."""
    if moment is None:
        return ""
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    if span < 3600:
        words = f"{max(1, round(span / 60))} min"
    elif span < 2 * 86400:
        words = f"{round(span / 3600)} h"
    else:
        words = f"{round(span / 86400)} days"
    return f"due in {words}" if seconds >= 0 else f"overdue by {words}"


def category_label(code: str) -> str:
    category = BY_CODE.get(code)
    return category.label if category else code


def short_id(report_id: str) -> str:
    return report_id[:8]


def people_words(people: dict[str, Any] | None) -> str:
    """'2 people: two men in hi-vis', '1 person', or the description alone when the farmer gave no count."""
    people = people or {}
    count, description = people.get("count"), (people.get("description") or "").strip()
    if count is None:
        return description
    counted = f"{count} {'person' if count == 1 else 'people'}"
    return f"{counted}: {description}" if description else counted


templates.env.filters.update(
    local_time=local_time,
    category_label=category_label,
    flag_words=lambda flag: FLAG_WORDS.get(flag, flag),
    flag_level=lambda flag: FLAG_LEVEL.get(flag, "amber"),
    status_words=lambda status: STATUS_WORDS.get(status, status),
    outcome_words=lambda outcome: OUTCOME_WORDS.get(outcome, outcome),
    clock_state_words=lambda state: CLOCK_STATE_WORDS.get(state, state),
    short_id=short_id,
    people_words=people_words,
)


def tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.netloc.replace("a.", "*.", 1) if "{s}." in tile_url else parts.netloc
    return f"{parts.scheme}://{host}"


def security_headers(settings: Settings) -> dict[str, str]:
    tiles = tile_origin(settings.tile_url)
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data: {tiles}; connect-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ).replace("  ", " "),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        # Pages carry victims' names and farm locations: never kept by a shared computer's browser cache.
        "Cache-Control": "no-store",
    }


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(security_headers(request.app.state.settings))
    return response


def error_page(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An HTML answer for a console route's error (the API's stay JSON)."""
    session = optional_session_for(request)
    titles = {403: "Not allowed", 404: "Not found", 409: "Cannot do that now", 413: "Too large", 422: "Check the form"}
    response = page(
        request,
        "console/error.html",
        {"session": session, "status": status_code, "title": titles.get(status_code, "Error"), "message": message},
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response
