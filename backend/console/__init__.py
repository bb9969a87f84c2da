"""The staff web console: server-rendered pages, a session cookie, a CSRF token on every form."""

from fastapi import APIRouter

from backend.console import auth, home

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(home.router)
