"""The staff web console: server-rendered pages, a session cookie, a CSRF token on every form."""

from fastapi import APIRouter, Depends

from backend.console import (
    access_log,
    admin,
    alerts,
    auth,
    home,
    invite,
    language,
    map_page,
    policy_page,
    queue,
    replication_page,
    report,
    summaries,
    update_templates,
    users,
)

# Every console page speaks the staff user's language (or the visitor's): set before anything else runs.
router = APIRouter(include_in_schema=False, dependencies=[Depends(language.speak_console_language)])
router.include_router(auth.router)
router.include_router(language.router)
router.include_router(home.router)
router.include_router(queue.router)
router.include_router(map_page.router)
router.include_router(report.router)
router.include_router(admin.router)
router.include_router(users.router)
router.include_router(update_templates.router)
router.include_router(policy_page.router)
router.include_router(invite.router)
router.include_router(access_log.router)
router.include_router(replication_page.router)
router.include_router(summaries.router)
router.include_router(alerts.router)
