"""The console's landing pages: the queue for police (backend/console/queue.py), the summaries for the NFU."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from backend.console.session import SessionDep

router = APIRouter(prefix="/console")


@router.get("/nfu")
def nfu_home(session: SessionDep) -> RedirectResponse:
    """Where NFU representatives land after logging in: the response-time summaries (backend/console/summaries.py)."""
    return RedirectResponse("/console/summaries", status_code=303)
