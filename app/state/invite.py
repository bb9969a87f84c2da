"""An invite link opened on the phone fills in the registration form's server address (before registration only)."""

from __future__ import annotations

from app.services.enrolment import parse_invite, require_secure
from app.state.app_state import AppState


def apply_invite(app: AppState, link: str | None) -> bool:
    """True when `link` carried a server and the form now holds it. A registered phone keeps its server: a link
    must not move it (and the farmer's reports) elsewhere. A release build refuses an http server and says why."""
    invite = parse_invite(link)
    if invite is None or app.profile is not None:
        return False
    form = app.registration
    try:
        require_secure(invite.server_url)
    except ValueError as exc:
        form.errors = {**form.errors, "server_url": str(exc)}
        return False
    form.set_field("server_url", invite.server_url)
    return True
