"""The app as a whole: which screen is showing, the farmer, the saved reports, the police's alerts, a 101 call in
progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import flet as ft

from app.i18n import _, set_language, shown_time
from app.services.api import ServerUnavailable
from app.state.alert_actions import AlertActions
from app.state.alert_settings import AlertSettingsForm
from app.state.alerts import AlertBoard
from app.state.build_report import OUTCOME_LABELS
from app.state.draft import ReportDraft
from app.state.ports import Ports
from app.state.registration import RegistrationForm
from app.state.report_detail import ReportDetail
from app.state.report_status import describe_state, is_overdue, says_seen
from app.state.sync_state import SyncState
from app.state.your_data import YourData
from app.store import Store, answer_targets
from app.store import categories as category_store
from app.store import profile as profile_store
from app.store import reports as report_store
from app.store import settings as settings_store
from app.sync import records as sync_records
from core.i18n import LANGUAGES
from wire.categories import Category

PENDING_CALL = "pending_call"
CALL_NUMBERS = {"999": "tel:999", "101": "tel:101"}
# The console's accessibility statement (GOV.UK model), on the farmer's own Hedgerow server.
ACCESSIBILITY_PATH = "/accessibility"


@dataclass(frozen=True)
class ReportRow:
    id: str
    title: str
    when: str
    state: str
    photos: int
    reference: str | None = None
    seen: bool = False  # the police have acknowledged it
    unread: int = 0  # police answers the farmer has not looked at
    problem: str | None = None  # why the server refused it, in its words
    overdue: bool = False  # no police answer past the target: offer "Chase"
    state_says_seen: bool = False  # `state` is "Seen by police" already


@ft.observable
@dataclass
class AppState(AlertActions):
    _store: Store
    _ports: Ports
    _tz: tzinfo
    _default_server_url: str
    screen: str = "register"
    profile: profile_store.Profile | None = None
    registration: RegistrationForm = field(default_factory=RegistrationForm)
    categories: tuple[Category, ...] = ()
    reports: list[ReportRow] = field(default_factory=list)
    draft: ReportDraft | None = None
    pending_call: dict[str, str] | None = None
    notice: str = ""
    detail: ReportDetail | None = None  # the report open on the report screen
    confirm_discard: bool = False  # "Discard this report?" asked, waiting for the farmer's answer
    sync: SyncState | None = None  # attached by app/main.py once the sync engine runs
    alerts: AlertBoard = field(init=False)
    alert_settings: AlertSettingsForm | None = None  # the "Alerts" settings screen, while it is open
    language: str = "en"  # the phone's language: every screen is drawn in it, and redrawn when it changes
    language_notice: str = ""
    your_data: YourData | None = None  # the "Your data" screen, while it is open

    @classmethod
    def open(cls, store: Store, ports: Ports, tz: tzinfo, default_server_url: str) -> AppState:
        """Open the app as the farmer left it: registered or not, with any unfinished report restored."""
        state = cls(_store=store, _ports=ports, _tz=tz, _default_server_url=default_server_url)
        state.language = set_language(profile_store.phone_language(store))
        state.profile = profile_store.load_profile(store)
        state.categories = category_store.load_categories(store)
        state.alerts = AlertBoard(store, ports.clock, lambda: state.category_map, lambda: state.farm_name)
        state.alerts.refresh()
        state.pending_call = settings_store.get_setting(store, PENDING_CALL)
        state.draft = ReportDraft.restore(store, ports, state.category_map, tz)
        state.registration.server_url = state.profile.server_url if state.profile else default_server_url
        state.refresh_reports()
        if state.profile is None:
            state.screen = "register"
        elif state.draft is not None:
            state.screen = "report"  # killed mid-report: straight back to it
        else:
            state.screen = "home"
        return state

    @property
    def category_map(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    @property
    def farm_name(self) -> str:
        return (self.profile.farm_name if self.profile else None) or "your farm"

    @property
    def server_url(self) -> str:
        return self.profile.server_url if self.profile else self._default_server_url

    # ----- registration

    def register(self) -> bool:
        checked = self.registration.validated()
        if checked is None:
            return False
        details, server_url = checked
        self.profile = profile_store.save_profile(self._store, details, server_url, self._ports.clock())
        self.screen = "report" if self.draft else "home"
        self.notice = _("Thank you. You can report straight away; your details are sent when there is signal.")
        if self.sync is not None:
            self.sync.sync_now()  # the registration goes at once where there is signal
        return True

    def edit_registration(self) -> None:
        if self.profile:
            form = self.registration
            form.name, form.phone = self.profile.name, self.profile.phone
            form.farm_name, form.postcode = self.profile.farm_name or "", self.profile.postcode or ""
            form.server_url = self.profile.server_url
        self.screen = "register"

    # ----- categories

    async def refresh_categories(self) -> bool:
        """Fetch the current list from the server; keep the phone's copy when there is no signal."""
        try:
            listing = await self._ports.fetch_categories(self.server_url)
            self.categories = category_store.cache_categories(self._store, listing, self._ports.clock())
        except (ServerUnavailable, ValueError, KeyError, TypeError):
            return False
        return True

    # ----- reports

    def refresh_reports(self) -> None:
        now = self._ports.clock()
        labels = self.category_map
        # The open report first: what it shows is read, so the list below counts it so.
        if self.screen == "detail" and self.detail is not None and not self.detail.reload(labels, now):
            self.close_report()
            return
        rows = []
        extras = sync_records.report_extras(self._store)
        targets = answer_targets.load_answer_targets(self._store)
        for r in report_store.list_reports(self._store):
            category = labels.get(r.category)
            unread, problem = extras.get(r.id, (0, None))
            urgent = bool(category and category.urgent)
            rows.append(
                ReportRow(
                    id=r.id,
                    title=_(category.label) if category else r.category,
                    when=shown_time(r.occurred_at),
                    state=describe_state(r, now, urgent, targets),
                    photos=r.photos_total,
                    reference=r.police_reference,
                    seen=r.server_status in ("acknowledged", "in_progress", "closed"),
                    unread=unread,
                    problem=problem,
                    overdue=is_overdue(r, now, urgent, targets),
                    state_says_seen=says_seen(r),
                )
            )
        self.reports = rows

    def start_report(self) -> None:
        if self.draft is None:
            self.draft = ReportDraft.start(self._store, self._ports, self.category_map, self._tz)
        self.notice = ""
        self.screen = "report"

    def leave_report(self) -> None:
        """Back to the home screen; the draft stays saved and can be carried on with."""
        self.screen = "home"

    def ask_discard(self) -> None:
        self.confirm_discard = True

    def keep_report(self) -> None:
        self.confirm_discard = False

    def discard_report(self) -> None:
        """Only after the farmer has confirmed: the draft and its photos are deleted from the phone."""
        if not self.confirm_discard:
            self.ask_discard()
            return
        if self.draft is not None:
            self.draft.discard()
        self.draft = None
        self.confirm_discard = False
        self.screen = "home"
        self.notice = _("Report discarded")

    def save_report(self) -> bool:
        if self.draft is None:
            return False
        report_id = self.draft.save()
        if report_id is None:
            return False
        self.draft = None
        self.refresh_reports()
        self.screen = "home"
        self.notice = _("Saved on this phone. It will be sent as soon as there is signal.")
        if self.sync is not None:
            self.sync.sync_now()
        return True

    # ----- sending and the police's answers

    def open_sync(self) -> None:
        self.screen = "sync"

    def open_report(self, report_id: str) -> None:
        """The report screen: everything the farmer may see of one report. Opening it marks its answers read."""
        self.detail = ReportDetail.open(self._store, report_id, self.category_map, self._tz, self._ports.clock())
        if self.detail is None:
            return
        self.notice = ""
        self.screen = "detail"
        self.refresh_reports()

    def close_report(self) -> None:
        self.detail = None
        self.screen = "home"
        self.refresh_reports()

    def chase(self, report_id: str) -> None:
        """Ask the police about a report nobody has answered; sent by the next sync."""
        sync_records.queue_chase(
            self._store, report_id, _("No answer yet: please let me know what is happening."), self._ports.clock()
        )
        self.notice = _("Chase saved. It will be sent as soon as there is signal.")
        if self.detail is not None:
            self.detail.notice = self.notice
        if self.sync is not None:
            self.sync.sync_now()

    # ----- language and accessibility

    def open_settings(self) -> None:
        self.language_notice = ""
        self.screen = "settings"

    def choose_language(self, language: str) -> None:
        """Cymraeg or English: kept on the phone, sent to the server (now or when there is signal), and every
        screen redrawn in it at once, the words already on screen (report states, sending status) included."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language}")
        set_language(language)
        profile_store.save_language(self._store, language, self._ports.clock())
        if self.registration.errors:
            self.registration.validated()  # the mistakes already shown, said again in the new language
        self.notice = ""
        self.refresh_reports()
        if self.sync is not None:
            self.sync.refresh()
            if self.profile is not None:
                self.sync.sync_now()
        if self.detail is not None:
            self.detail.reload(self.category_map, self._ports.clock())
        # Said in the language just chosen, so a screen reader user hears that the change took.
        self.language_notice = _("Language changed: this app is now in English.")
        self.language = language  # last: the screens are drawn again with everything above in place

    async def open_accessibility_statement(self) -> None:
        """The accessibility statement, on the farmer's Hedgerow server, in the phone's browser."""
        await self._ports.dialer.launch(self.server_url.rstrip("/") + ACCESSIBILITY_PATH)

    # ----- the farmer's own data

    def open_your_data(self) -> None:
        self.your_data = YourData(self._store, self._phone_wiped, self._contact_cleared)
        self.notice = ""
        self.screen = "your_data"

    def leave_your_data(self) -> None:
        self.your_data = None
        self.screen = "home"

    def _contact_cleared(self) -> None:
        self.profile = profile_store.load_profile(self._store)

    def _phone_wiped(self) -> None:
        """Everything on the phone was deleted: the app starts again as on the first day."""
        self.your_data = None
        self.profile, self.draft, self.detail, self.pending_call = None, None, None, None
        self.registration = RegistrationForm(server_url=self._default_server_url)
        self.categories = category_store.load_categories(self._store)
        self.refresh_reports()
        self.notice = ""
        self.screen = "register"
        if self.sync is not None:
            self.sync.refresh()

    # ----- calls from the home screen

    async def call(self, number: str) -> None:
        """Dial 999 or 101. A 101 call is logged: its start time is kept, and on return the farmer is asked
        how it went (the card stays on the home screen until answered, even if the app was killed)."""
        if number not in CALL_NUMBERS:
            raise ValueError(number)
        if number == "101":
            started = self._ports.clock()
            self.pending_call = {
                "channel": "101",
                "started_at": started.isoformat(),
                "waited_min": "",
                "outcome": "",  # nothing pre-ticked: the farmer says how it ended
                "reference": "",
            }
            settings_store.set_setting(self._store, PENDING_CALL, self.pending_call, started)
        await self._ports.dialer.launch(CALL_NUMBERS[number])

    async def call_999(self) -> None:
        await self.call("999")

    async def call_101(self) -> None:
        await self.call("101")

    def pending_call_minutes(self) -> int:
        if not self.pending_call:
            return 0
        started = datetime.fromisoformat(self.pending_call["started_at"])
        return max(0, int((self._ports.clock() - started).total_seconds() // 60))

    def set_call_answer(self, name: str, value: str) -> None:
        """What the farmer says about the call, kept at once like a draft (the app may be killed mid-answer)."""
        if not self.pending_call or name not in ("waited_min", "outcome", "reference"):
            raise ValueError(name)
        if name == "outcome" and value and value not in OUTCOME_LABELS:
            raise ValueError(value)
        self.pending_call = {**self.pending_call, name: value}
        settings_store.set_setting(self._store, PENDING_CALL, self.pending_call, self._ports.clock())

    def record_call_outcome(self) -> None:
        """Put the finished 101 call into the report being written (starting one if needed)."""
        call = self.pending_call
        if not call:
            return
        started = datetime.fromisoformat(call["started_at"])
        waited = call.get("waited_min") or str(self.pending_call_minutes())
        self.start_report()
        assert self.draft is not None
        self.draft.add_call(call["channel"], started)
        index = len(self.draft.calls) - 1
        self.draft.set_call(index, "waited_min", waited)
        self.draft.set_call(index, "outcome", call.get("outcome") or "")
        self.draft.set_call(index, "reference", call.get("reference") or "")
        self.forget_call()

    def forget_call(self) -> None:
        self.pending_call = None
        settings_store.delete_setting(self._store, PENDING_CALL)
