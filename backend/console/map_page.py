"""The map page: the current queue filter's reports as clustered markers coloured (and labelled) by flag.

Leaflet and its clustering plugin are served by the backend itself (backend/static/vendor/, installed from npm
by `make setup`); tiles come from HEDGEROW_TILE_URL. The markers are in the page, so they show even when the
tiles cannot load; the same reports are listed under the map for readers without JavaScript or sight.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.geo import coarse_point
from backend.console.queue import caption_for, filter_params, queue_filter
from backend.console.render import FLAG_LEVEL, FLAG_WORDS, category_label, page, short_id, words
from backend.console.session import PoliceSessionDep
from backend.deps import DbDep, NowDep, SettingsDep
from backend.i18n import _
from backend.services.triage import queue

router = APIRouter(prefix="/console")
LISTED = 200  # how many of the markers are also listed in words under the map


def _level(flags: list[str]) -> str:
    if any(FLAG_LEVEL.get(f) == "red" for f in flags):
        return "red"
    return "amber" if flags else "none"


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, session: PoliceSessionDep, db: DbDep, settings: SettingsDep, now: NowDep) -> Response:
    params = filter_params(request)
    f = queue_filter(session, db, settings, params, now)
    markers = queue.markers(db, f)
    for m in markers:
        if f.scope == "border":  # other forces' reports: to the kilometre, as on their pages
            m["lat"], m["lon"] = coarse_point(m["lat"], m["lon"])
        m["level"] = _level(m["flags"])
        flags = ", ".join(words(FLAG_WORDS, flag) for flag in m["flags"]) or _("nothing overdue")
        m["title"] = f"{category_label(m['category'])} {short_id(m['id'])}: {flags}"
    return page(
        request,
        "console/map.html",
        {
            "session": session,
            "f": f,
            "markers": markers,
            "listed": markers[:LISTED],
            "limit": queue.MAP_LIMIT,
            "caption": caption_for(f, f.order),
            "tile_url": settings.tile_url,
            "back": "/console" + (f"?{request.url.query}" if request.url.query else ""),
        },
    )
