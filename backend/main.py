"""The FastAPI application: the JSON API at /api/v1, tus uploads, and the staff console."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from backend import console
from backend.console import accessibility, invite
from backend.console.headers import SecurityHeaders
from backend.console.render import error_page
from backend.console.session import LoginRequired
from backend.db import ConnectionPool
from backend.open311.router import router as open311_router
from backend.ops.replication import Replication
from backend.routes import alerts, categories, clocks, devices, me, reports, staff, stats, uploads
from backend.routes import policy as policy_routes
from backend.security import SlidingWindowLimiter
from backend.services import periodic
from backend.services.alerts import delivery as alert_delivery
from backend.services.clocks import policy, sweep, working_time
from backend.services.errors import DomainError, plain_errors
from backend.services.retention import schedule as retention_schedule
from backend.settings import Settings
from backend.time_source import Clock, clock_for
from backend.writes import GroupCommitWriter


class BodyLimit:
    """Refuse bodies over the limit with 413 before they are read into memory (photos go over tus instead)."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefix: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefix = exempt_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException, because FastAPI turns any other error while reading a body into a 400.
                    raise _TooLarge(413, self._message())
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    def _message(self) -> str:
        return f"the body is larger than {self.max_bytes // 1024} KiB"

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = self._message()
        await JSONResponse({"detail": message, "message": message}, status_code=413)(scope, receive, send)


class _TooLarge(StarletteHTTPException):
    pass


def _message(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for err in detail:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return "; ".join(parts)
    return str(detail)


def _is_console(request: Request) -> bool:
    """Console pages answer errors with an HTML page; the API keeps its JSON."""
    return request.url.path == "/console" or request.url.path.startswith("/console/")


def _json_error(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "message": _message(detail)}, status_code=status, headers=headers)


def _settle_garbage_collector() -> None:
    """Keep the cyclic garbage collector off the objects made at start-up, and run it less often.

    What is loaded at start-up (FastAPI's routes and models, pydantic's validators, shapely and numpy, the
    area index) lives as long as the server, yet every full collection walked all of it: each one held the event
    loop for 100 ms or more under load. Frozen, they are left out; a full collection then takes a fifth of that.
    Requests make many short-lived objects, so the youngest generation is collected every 10,000 allocations
    rather than every 700 (CPython 3.12 and later use a larger threshold too).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        sweeper = sweep.schedule(app.state.pool, settings, lambda: app.state.clock())
        purger = retention_schedule.schedule(app.state.pool, settings, lambda: app.state.clock())
        alert_sender = alert_delivery.schedule(app.state.pool, settings, lambda: app.state.clock())
        upload_sweeper = asyncio.create_task(tus_server.sweeper())
        working_time.load_calendars(app.state.clock().year)
        if app.state.replication is not None:
            app.state.replication.start()
        _settle_garbage_collector()
        yield
        if app.state.replication is not None:
            # After the last request, so Litestream's final push holds every answered report.
            await asyncio.to_thread(app.state.replication.stop)
        upload_sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await upload_sweeper
        await sweep.stop(sweeper)
        await retention_schedule.stop(purger)
        await periodic.stop(alert_sender)
        app.state.writer.close()
        app.state.pool.close()

    app = FastAPI(
        title="Hedgerow",
        version="0.1.0",
        summary="Rural crime reports from farmers' phones, and the time every police response took.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or clock_for(settings)
    # Before the first connection: while Litestream replicates, the server's connections leave checkpoints to it.
    app.state.replication = Replication(settings) if settings.replica_url else None
    app.state.pool = ConnectionPool(settings.db_path)
    app.state.writer = GroupCommitWriter(settings.db_path)
    app.state.register_limiter = SlidingWindowLimiter(settings.register_per_hour, 3600)
    with app.state.pool.connection() as db:
        # Record any change to the shipped response targets, from now on (old reports keep theirs).
        policy.sync_defaults(db, app.state.clock())

    # Starlette's HTTPException, not only FastAPI's subclass: routing (404, 405) and FastAPI's own body reading
    # raise the Starlette one, and those answers need the same JSON shape.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI answers 400 to a body it cannot decode (not UTF-8); it is invalid input like any other.
            return _json_error(422, f"the body is not valid JSON: {exc.__cause__}")
        if _is_console(request):
            return error_page(request, exc.status_code, _message(exc.detail), exc.headers)
        return _json_error(exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = plain_errors(exc.errors())
        if _is_console(request):
            return error_page(request, 422, _message(errors))
        return _json_error(422, errors)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _is_console(request):
            return error_page(request, exc.status_code, str(exc))
        return _json_error(exc.status_code, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/console/login?next={quote(exc.next_url)}", status_code=303)

    app.include_router(categories.router)
    app.include_router(devices.router)
    app.include_router(me.router)
    app.include_router(reports.router)
    app.include_router(staff.router)
    app.include_router(clocks.router)
    app.include_router(policy_routes.router)
    app.include_router(stats.router)
    app.include_router(alerts.router)
    tus_server = uploads.build_server(settings, app.state.clock)
    app.include_router(tus_server.router(tags=["uploads"]))
    app.include_router(console.router)
    app.include_router(invite.public_router)
    app.include_router(accessibility.router)  # public, like /enrol: no session
    app.include_router(open311_router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console", status_code=303)

    @app.get("/healthz", tags=["health"])
    def health(deep: bool = False) -> Response:
        """Liveness for a proxy or a monitor. `?deep=1` adds replication (Litestream's state, the replica's lag,
        the photos waiting to be copied), and answers 503 when replication is failing, for a monitor to alert on."""
        if not deep:
            return JSONResponse({"status": "ok"})
        replication = app.state.replication
        if replication is None:
            return JSONResponse({"status": "ok", "replication": {"status": "off"}})
        state = replication.status()
        return JSONResponse({"status": state["status"], "replication": state}, 200 if state["status"] == "ok" else 503)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, exempt_prefix=uploads.PREFIX)
    # Last added, so outermost: it also sees the answers the middlewares above give (a 413 for a console form).
    app.add_middleware(SecurityHeaders, settings=settings)
    return app
