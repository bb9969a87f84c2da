"""The console's language: the staff user's choice, else a `?lang=` link or the cookie it left, else the browser's
Accept-Language, else English; and the "Cymraeg / English" switch in the header and on the login page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from backend.console.session import ConsoleSession, CsrfSessionDep, optional_session
from backend.deps import DbDep, SettingsDep
from backend.i18n import set_speaking
from backend.services.staff import accounts
from core.i18n import LANGUAGES, Language, from_accept_language

COOKIE = "hedgerow_lang"  # a visitor's choice before they log in (the login page's links, the enrol page's)
router = APIRouter(prefix="/console")


def console_language(request: Request, session: ConsoleSession | None) -> Language:
    """The language a console page is shown in for this request."""
    if session is not None and session.user.language in LANGUAGES:
        return session.user.language  # type: ignore[return-value]
    for chosen in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if chosen in LANGUAGES:
            return chosen  # type: ignore[return-value]
    return from_accept_language(request.headers.get("accept-language"))


async def speak_console_language(
    request: Request, session: Annotated[ConsoleSession | None, Depends(optional_session)]
) -> Language:
    """Every console route's first dependency: what it says, it says in this language (backend/i18n.py)."""
    language = console_language(request, session)
    set_speaking(language)
    return language


def remember_visitor_choice(request: Request, response: Response, settings: SettingsDep) -> None:
    """A `?lang=` link followed before logging in is kept for the visitor's next pages (a plain preference)."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="lax", secure=settings.behind_proxy, path="/"
        )


def _safe_back(back: str) -> str:
    # Only ever back into the console: an open redirect would help a phishing page.
    return back if back.startswith("/console") and "//" not in back and "\\" not in back else "/console"


@router.post("/language")
def choose_language(
    session: CsrfSessionDep,
    db: DbDep,
    language: Annotated[str, Form(max_length=10)],
    back: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    """Keep the staff user's console language ("cy" or "en") for every page and every later session."""
    accounts.set_language(db, session.user.id, language)
    return RedirectResponse(_safe_back(back), status_code=303)
