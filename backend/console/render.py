"""Rendering console pages: the words for codes, UK times, security headers, and HTML error pages.

Jinja2 autoescapes every value in the .html templates, so a description of `<script>` is shown as text; the
Content-Security-Policy below is a second line: only the console's own scripts run, and images come only from
the backend and the configured tile server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import escape

from backend.console.language import console_language
from backend.console.session import optional_session_for, templates
from backend.i18n import N_, _, catalogue, force_name, language_name, ngettext, speaking, speaking_now, wire_label
from backend.services.clocks.clock_words import clock_label, target_words
from backend.services.intake.farmer_text import outcome_words
from backend.settings import Settings
from core.i18n import local_datetime
from core.uktime import LONDON
from wire.categories import BY_CODE

FLAG_WORDS = {
    "unanswered": N_("Not answered"),
    "no_reference": N_("No crime reference"),
    "no_decision": N_("No decision"),
    "no_update": N_("Farmer not updated"),
    "attendance_late": N_("Attendance late"),
}
# Flags that mean a victim is waiting on the police now are red; the rest amber. Always with the words.
FLAG_LEVEL = {"unanswered": "red", "attendance_late": "red"}
STATUS_WORDS = {
    "received": N_("Received"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "closed": N_("Closed"),
}
ROLE_WORDS = {
    "officer": N_("officer"),
    "supervisor": N_("supervisor"),
    "nfu": N_("NFU representative"),
    "admin": N_("admin"),
}
# The 101 experience of the farmer's calls, and each call's line and outcome (codes of wire/reports.py's Call).
CALL_MARK_WORDS = {"red": N_("red"), "amber": N_("amber"), "green": N_("green")}
CALL_WORDS = {
    "online": N_("online"),
    "rural_team": N_("rural crime team"),
    "other": N_("other"),
    "answered": N_("answered"),
    "abandoned": N_("abandoned"),
    "callback_promised": N_("call back promised"),
    "cut_off": N_("cut off"),
}
CLOCK_STATE_WORDS = {
    "running": N_("Running"),
    "met": N_("Met"),
    "met_late": N_("Met late"),
    "breached": N_("Overdue"),
    "not_applicable": N_("Does not apply"),
}
# The strftime formats the console uses, as Babel patterns for the languages other than English (whose pages
# keep the strftime text they always had).
_BABEL_PATTERNS = {"%a %d %b %Y %H:%M": "EEE dd MMM y HH:mm", "%d %B %Y": "d MMMM y"}


def words(table: dict[str, str], code: str) -> str:
    """A code's words from one of the tables above, translated; an unknown code as it is."""
    return _(table[code]) if code in table else code


def local_time(value: str | datetime | None, fmt: str = "%a %d %b %Y %H:%M") -> str:
    """An ISO time or datetime as UK local time (what officers and farmers read), in the language being spoken."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    language = speaking_now()
    if language != "en":
        return local_datetime(moment, language, _BABEL_PATTERNS.get(fmt, "EEE dd MMM y HH:mm"))
    return moment.astimezone(LONDON).strftime(fmt)


def relative(moment: datetime | None, now: datetime) -> str:
    """'overdue by 2 days' / 'due in 3 hours': a difference of two stored times, in words."""
    if moment is None:
        return ""
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    if span < 3600:
        amount = _("%(minutes)d min") % {"minutes": max(1, round(span / 60))}
    elif span < 2 * 86400:
        amount = _("%(hours)d h") % {"hours": round(span / 3600)}
    else:
        days = round(span / 86400)
        amount = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if seconds >= 0:
        return _("due in %(time)s") % {"time": amount}
    return _("overdue by %(time)s") % {"time": amount}


def category_label(code: str) -> str:
    category = BY_CODE.get(code)
    return wire_label(category.label) if category else code


def short_id(report_id: str) -> str:
    return report_id[:8]


def people_words(people: dict[str, Any] | None) -> str:
    """'2 people: two men in hi-vis', '1 person', or the description alone when the farmer gave no count."""
    people = people or {}
    count, description = people.get("count"), (people.get("description") or "").strip()
    if count is None:
        return description
    counted = ngettext("%(count)d person", "%(count)d people", count) % {"count": count}
    return f"{counted}: {description}" if description else counted


# The templates' words go through the catalogue of the language being spoken (`{% trans %}`, `_()`): the
# environment is shared by every request, so its gettext functions look the language up as they run rather than
# being installed per request. Whitespace in a `{% trans %}` block is trimmed, as in the extracted msgid.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda message: catalogue().gettext(message),
    ngettext=lambda singular, plural, n: catalogue().ngettext(singular, plural, n),
    pgettext=lambda context, message: catalogue().pgettext(context, message),
    npgettext=lambda context, singular, plural, n: catalogue().npgettext(context, singular, plural, n),
    newstyle=True,
)


@pass_context
def _expression_gettext(context: Context, message: str, **variables: Any) -> str:
    """`_("...")` in an expression: the translation escaped like any string value (as the English literals in
    expressions always were), its `%(name)s` filled with escaped values. `{% trans %}` text, like the template text
    it replaced, is not escaped."""
    text = catalogue().gettext(message) if message else message
    if context.eval_ctx.autoescape:
        return escape(text) % variables
    return text % variables


templates.env.globals["_"] = _expression_gettext
templates.env.filters.update(
    local_time=local_time,
    category_label=category_label,
    flag_words=lambda flag: words(FLAG_WORDS, flag),
    flag_level=lambda flag: FLAG_LEVEL.get(flag, "amber"),
    status_words=lambda status: words(STATUS_WORDS, status),
    outcome_words=outcome_words,
    clock_state_words=lambda state: words(CLOCK_STATE_WORDS, state),
    role_words=lambda role: words(ROLE_WORDS, role),
    call_mark_words=lambda mark: words(CALL_MARK_WORDS, mark),
    call_words=lambda code: words(CALL_WORDS, code),
    force_name=force_name,
    wire_label=wire_label,
    clock_label=clock_label,
    target_words=target_words,
    short_id=short_id,
    people_words=people_words,
)
templates.env.globals.update(language_name=language_name)


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


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A console page in the language being spoken (set for the request by backend/console/language.py). A page
    that answered something other than what was asked gives its own address as `here`, for the language switch."""
    language = speaking_now()
    here = context.get("here") or (_here(request) if request.method == "GET" and status_code < 400 else "/console")
    context = {**context, "language": language, "here": here, "visitor_switch": _switch(request, language)}
    response = templates.TemplateResponse(request, template, context, status_code=status_code, headers=headers)
    response.headers.update(security_headers(request.app.state.settings))
    return response


def _switch(request: Request, language: str) -> str | None:
    """For a visitor not logged in, on a page they can load again: this page in the other language (`?lang=`)."""
    if request.method != "GET":
        return None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*kept, ('lang', 'en' if language == 'cy' else 'cy')])}"


def _here(request: Request) -> str:
    """This page's address, for the language switch to come back to (a page that answered a form or an error
    goes back to the queue instead: its address may not be one to load again, and an error page repeats none)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


ERROR_TITLES = {
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Cannot do that now"),
    413: N_("Too large"),
    422: N_("Check the form"),
}
OTHER_ERROR = N_("Error")


def error_page(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An HTML answer for a console route's error (the API's stay JSON), in the reader's language (an error may
    come before the console's language dependency ran: a path no route matches)."""
    session = optional_session_for(request)
    with speaking(console_language(request, session)):
        title = _(ERROR_TITLES.get(status_code, OTHER_ERROR))
        response = page(
            request,
            "console/error.html",
            # A service's message that the catalogue also holds (the console marks the ones it raises) is said
            # in the reader's language; any other stays as the service wrote it.
            {"session": session, "status": status_code, "title": title, "message": _(message)},
            status_code=status_code,
        )
    response.headers.update(headers or {})
    return response
