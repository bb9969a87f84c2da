"""The accessibility statement (GOV.UK's model for public-sector services), public: the farmer app links to it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from backend.console.render import page
from backend.console.session import optional_session_for

router = APIRouter(include_in_schema=False)  # a page for people, not part of the API


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility_statement(request: Request) -> HTMLResponse:
    return page(request, "accessibility.html", {"session": optional_session_for(request)})
