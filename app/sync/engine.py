"""The sync loop: one sync at a time, in the background, woken on start, after each save, when connectivity
returns and on a timer. The screen never waits for it; it reads `status` and is told through `on_change`.

Order within a pass: the registration, then each report's JSON (oldest first), then updates and chases,
then photos (oldest report first), so that the police get the words even if the photos take an hour. A
failure that time may cure ends the pass and the next one waits with exponential backoff; a report the
server refuses is marked as needing attention and the pass goes on with the others. Nothing local is
deleted because of a failure. After the pull, the alerts (app/sync/alerts.py: the farmer's changed alert places,
then the police's alerts), and the published policy's targets when they are due (app/sync/policy.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from app.i18n import _
from app.store import profile as profile_store
from app.store.db import Store
from app.store.outbox import OutboxItem, mark_failed, mark_sending, mark_sent, pending_items
from app.sync import alerts, push, records
from app.sync.backoff import Backoff
from app.sync.errors import Rejected, SyncError, Transient, Unauthorized, unrecognised
from app.sync.policy import PolicyRefresh
from app.sync.pull import pull_changes
from app.sync.tus import ChunkSizer

log = logging.getLogger("hedgerow.sync")

PERIOD_S = 60.0  # the timer: pull the police's answers even when nothing is waiting to go
# While something waits and the backoff is long, ask this often whether the server answers again: a phone
# that was out of signal for an hour must not wait out a 15-minute backoff once the signal is back.
PROBE_S = 30.0
PROBE_TIMEOUT = httpx.Timeout(5.0, connect=5.0)
# A field with one bar: connect quickly or give up; allow a slow chunk time to arrive.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
BATCH = 500
_ORDER = {"register": 0, "report": 1, "update": 2, "chase": 2, "photo": 3}


@dataclass(frozen=True)
class SyncStatus:
    """What the sync screen shows."""

    running: bool = False
    sending: str | None = None  # in plain words: "Report 3 of 5", "Photo 2 of 9"
    photo_sent: int = 0
    photo_total: int = 0
    last_sync_at: str | None = None
    last_error: str | None = None
    needs_registration: bool = False
    waiting_for_wifi: bool = False


# Every request carries these: short, because on a weak link each header byte is paid for many times over.
HEADERS = {"User-Agent": "Hedgerow-app/1"}


def _default_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT, headers=HEADERS)


@dataclass
class SyncEngine:
    store: Store
    server_url: str
    client_factory: Callable[[], httpx.AsyncClient] = _default_client
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    backoff: Backoff = field(default_factory=Backoff)
    period_s: float = PERIOD_S
    on_wifi: Callable[[], bool] = lambda: True
    on_change: Callable[[SyncStatus], None] = lambda status: None
    probe_s: float = PROBE_S
    # The app asks the profile at each pass (the farmer may change the server); None keeps `server_url`.
    resolve_url: Callable[[], str] | None = None
    sizer: ChunkSizer = field(default_factory=ChunkSizer)
    # The published policy's first-answer targets, for "No answer yet" while the server has not timed a report.
    policy: PolicyRefresh = field(default_factory=PolicyRefresh)
    status: SyncStatus = field(init=False)

    def __post_init__(self) -> None:
        self.server_url = self.server_url.rstrip("/")
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._again = False
        self._client: httpx.AsyncClient | None = None
        # Every open screen (a browser tab, or the phone's one screen) hears of every change.
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self.foreground = True
        self.status = SyncStatus(
            last_sync_at=records.get(self.store, records.LAST_SYNC),
            last_error=records.get(self.store, records.LAST_ERROR),
            needs_registration=bool(records.get(self.store, records.NEEDS_REGISTRATION, False)),
        )

    # ----- triggers

    def trigger(self) -> None:
        """Ask for a sync soon (after a save, or "Sync now"). Never blocks."""
        self._wake.set()

    def connectivity_changed(self, connected: bool) -> None:
        """Signal came back: forget the backoff and try at once."""
        if connected:
            self.backoff.reset()
            self.trigger()

    def resumed(self) -> None:
        """The app is in front again (Python did not run while it was in the background): sync at once."""
        self.foreground = True
        self.backoff.reset()
        self.trigger()

    def paused(self) -> None:
        self.foreground = False

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> Callable[[], None]:
        """Hear of every status change; returns the call that stops it (when the screen closes)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def run_forever(self) -> None:
        """The background loop: a pass now, then whenever woken, or when the backoff or the timer says."""
        while True:
            try:
                await self.sync_now()
            except Exception:  # a bug must not stop the loop: log it, show it, and carry on later
                log.exception("sync pass failed")
                self._set(last_error=_("Sending stopped on an unexpected error; it will try again."))
                self.backoff.failed()
            await self._wait_for_next_pass()
            self._wake.clear()

    async def _wait_for_next_pass(self) -> None:
        """Until woken, or the timer (nothing failing) or the backoff (after a failure) runs out. During a
        long backoff, a cheap probe every `probe_s` ends the wait as soon as the server answers."""
        loop = asyncio.get_running_loop()
        until = loop.time() + (self.backoff.current() if self.backoff.failures else self.period_s)
        while (left := until - loop.time()) > 0:
            step = min(left, self.probe_s) if self.backoff.failures else left
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), step)
                return
            if self.backoff.failures and self.foreground and loop.time() < until and await self.reachable():
                self.backoff.reset()
                return

    async def reachable(self) -> bool:
        """Does the server answer at all? A few hundred bytes: no token, no body."""
        url = (self.resolve_url() if self.resolve_url is not None else self.server_url).rstrip("/")
        try:
            response = await self._http().get(f"{url}/healthz", timeout=PROBE_TIMEOUT)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def drain(self, timeout_s: float) -> bool:
        """Sync, waiting out the backoff between passes, until nothing is waiting but what needs the farmer
        (or the time is up). For the command line, tests and benchmarks: the app uses `run_forever`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            ok = await self.sync_now()
            if ok and records.waiting(self.store).total == 0:
                return True
            if self.status.needs_registration:
                return False
            await asyncio.sleep(min(self.backoff.current(), max(0.0, deadline - loop.time())))
        return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ----- one pass

    async def sync_now(self) -> bool:
        """One pass: push what is waiting, then pull the answers. True when it ran to the end without a
        failure that time may cure. A call while a pass runs makes that pass go round once more."""
        if self._lock.locked():
            self._again = True
            return False
        async with self._lock:
            ok = True
            while True:
                self._again = False
                ok = await self._pass()
                if not (ok and self._again):
                    return ok

    async def _pass(self) -> bool:
        if self.resolve_url is not None:
            self.server_url = self.resolve_url().rstrip("/")
        self._set(running=True, sending=None)
        try:
            await self._push()
            token = records.token(self.store)
            if token:
                await pull_changes(self.store, self._http(), self.server_url, token, self.clock)
                # The alerts come with the police's answers: the farmer's changed places first, then the pull.
                await alerts.push_choices(self.store, self._http(), self.server_url, token, self.clock)
                await alerts.pull_alerts(self.store, self._http(), self.server_url, token, self.clock)
                await self.policy.run(self.store, self._http(), self.server_url, token, self.clock())
        except Unauthorized as exc:
            records.forget_token(self.store, self.clock())
            self._set(needs_registration=True)
            self._failed(exc.message)
            return False
        except Transient as exc:
            self._failed(exc.message, retry=True)
            return False
        finally:
            self._set(running=False, sending=None, photo_sent=0, photo_total=0)
        self.backoff.reset()
        now = self.clock().isoformat()
        records.put(self.store, records.LAST_SYNC, now, self.clock())
        records.put(self.store, records.LAST_ERROR, None, self.clock())
        self._set(last_sync_at=now, last_error=None)
        return True

    async def _push(self) -> None:
        items = sorted(pending_items(self.store, self.clock(), BATCH), key=lambda i: (_ORDER[i.kind], i.id))
        wifi_only = bool(records.get(self.store, records.PHOTOS_WIFI_ONLY, False))
        photos_blocked = wifi_only and not self.on_wifi()
        self._set(waiting_for_wifi=photos_blocked and any(i.kind == "photo" for i in items))
        counts = {k: sum(1 for i in items if i.kind == k) for k in _ORDER}
        done = dict.fromkeys(_ORDER, 0)
        for item in items:
            if item.kind == "photo" and photos_blocked:
                continue
            token = records.token(self.store)
            if item.kind != "register" and token is None:
                if records.get(self.store, records.NEEDS_REGISTRATION, False):
                    raise Unauthorized(unrecognised())
                return  # the registration has not gone yet: nothing else can
            if item.kind == "photo" and not records.report_sent(self.store, item.report_id or ""):
                continue  # its report is refused or still to go: the server would not take the photo
            done[item.kind] += 1
            self._set(sending=_sending(item.kind, done[item.kind], counts[item.kind]))
            await self._send(item, token)
        token = records.token(self.store)
        language = profile_store.language_to_send(self.store)
        if token and language:
            await self._send_language(language, token)

    async def _send(self, item: OutboxItem, token: str | None) -> None:
        mark_sending(self.store, item.id, self.clock())
        ctx = push.PushContext(self.store, self._http(), self.server_url, self.clock, self.sizer, self._photo_progress)
        try:
            if item.kind == "register":
                await push.register(ctx, item)
                records.put(self.store, records.NEEDS_REGISTRATION, False, self.clock())
                self.policy.registered()
                self._set(needs_registration=False)
            else:
                assert token is not None
                if item.kind == "report":
                    await push.send_report(ctx, item, token)
                elif item.kind == "photo":
                    await push.send_photo(ctx, item, token)
                else:
                    await push.send_follow_up(ctx, item, token)
        except Rejected as exc:
            mark_failed(self.store, item.id, exc.message, None)
            records.set_problem(self.store, item.report_id, _problem(item, exc))
            self._set(last_error=_problem(item, exc))
            return
        except SyncError as exc:
            mark_failed(self.store, item.id, exc.message, self.clock())
            raise
        mark_sent(self.store, item.id, self.clock())
        self.backoff.reset()

    async def _send_language(self, language: str, token: str) -> None:
        """The farmer's new language, so that the server writes to them in it (`PATCH /api/v1/me`)."""
        ctx = push.PushContext(self.store, self._http(), self.server_url, self.clock, self.sizer, self._photo_progress)
        try:
            await push.send_language(ctx, language, token)
        except Rejected as exc:
            # A server that cannot take it (one older than languages) will not later: the phone keeps its choice.
            log.warning("the server refused the language %s: %s", language, exc.message)
        profile_store.language_sent(self.store, language)

    # ----- helpers

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def _photo_progress(self, photo_id: str, sent: int, total: int) -> None:
        self._set(photo_sent=sent, photo_total=total)

    def _failed(self, message: str, retry: bool = False) -> None:
        if retry:
            self.backoff.failed()
        records.put(self.store, records.LAST_ERROR, message, self.clock())
        self._set(last_error=message)

    def _set(self, **changes: object) -> None:
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]
        for listener in [self.on_change, *self._listeners]:
            try:
                listener(self.status)
            except Exception:  # a screen's trouble must not stop sending
                log.exception("sync status listener failed")


def _sending(kind: str, number: int, total: int) -> str:
    """What is going now, in plain words: "Report 3 of 5", "Photo 2 of 9"."""
    said = {
        "register": _("Your details {number} of {total}"),
        "report": _("Report {number} of {total}"),
        "photo": _("Photo {number} of {total}"),
    }.get(kind) or _("Message {number} of {total}")
    return said.format(number=number, total=total)


def _problem(item: OutboxItem, exc: Rejected) -> str:
    if exc.status == 409 and item.kind == "report":
        return _("The server holds a different version of this report (conflict): {reason}").format(reason=exc.message)
    if exc.status == 413:
        return _("Too large to send: {reason}").format(reason=exc.message)
    what = {"photo": _("A photo of this report"), "report": _("This report")}.get(item.kind) or _(
        "A message for this report"
    )
    return _("{what} needs your attention: {reason}").format(what=what, reason=exc.message)
