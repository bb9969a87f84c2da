"""Invite farmers: a supervisor's or admin's page with the link and QR code that enrol a phone with this server
and force, and the public /enrol page that link opens (it offers the app)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.admin import SupervisorDep, all_forces, managed_force
from backend.console.language import speak_console_language
from backend.console.render import error_page, page
from backend.deps import DbDep, SettingsDep
from backend.i18n import _
from backend.services.errors import Invalid
from backend.services.intake.invites import Invite, parse_enrol_query, server_address

router = APIRouter()
# The /enrol page is public (a farmer scanning the code has no account): kept off the console's router, every
# route of which needs a staff session.
public_router = APIRouter(include_in_schema=False, dependencies=[Depends(speak_console_language)])


def _server(request: Request, settings: SettingsDep) -> str:
    headers = request.headers
    # Forwarded headers are trusted only behind the proxy that sets them (as for client addresses).
    proxied = settings.behind_proxy
    return server_address(
        settings.public_url,
        str(request.base_url),
        headers.get("x-forwarded-proto") if proxied else None,
        headers.get("x-forwarded-host") if proxied else None,
    )


@router.get("/console/admin/invite", response_class=HTMLResponse)
def invite_page(
    request: Request, session: SupervisorDep, db: DbDep, settings: SettingsDep, force: str = ""
) -> Response:
    chosen = managed_force(session, db, force[:200])
    if not chosen:
        raise Invalid(_("your account has no force: an admin must set one before you can invite farmers"))
    invite = Invite(server=_server(request, settings), force=chosen)
    return page(
        request,
        "console/invite.html",
        {
            "session": session,
            "force": chosen,
            "forces": all_forces(session, db),
            "invite": invite,
            "qr": invite.qr_png_data_uri(),
            "farmer_app_link": invite.farmer_app_link(settings.app_url) if settings.app_url else None,
            # The force shown, not the one asked for: a supervisor asking for another force gets their own.
            "here": f"/console/admin/invite?{urlencode({'force': chosen})}",
        },
    )


@public_router.get("/enrol", response_class=HTMLResponse)
def enrol_page(request: Request, settings: SettingsDep, server: str = "", force: str = "") -> Response:
    """Where the QR code leads: open the app with the server filled in, or get it first. No login."""
    try:
        invite = parse_enrol_query(server[:500], force[:201])
    except Invalid as exc:
        return error_page(request, 422, str(exc))
    return page(
        request,
        "enrol.html",
        {
            "session": None,
            "invite": invite,
            "farmer_app_link": invite.farmer_app_link(settings.app_url) if settings.app_url else None,
        },
    )
