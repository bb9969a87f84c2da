"""One saved report as its farmer sees it: what was sent, and everything the police have said since.

Built from the phone's own database (the report as saved, the answers the sync engine pulled, the photos'
upload state), so it reads the same with no signal. Opening it marks its answers read; the entries that were
new when it opened stay marked "New" until the farmer leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import flet as ft

from app.i18n import N_, _, shown_time
from app.state.build_report import OUTCOME_LABELS, shown_value
from app.state.report_status import describe_state, is_overdue
from app.store import Store, answer_targets
from app.store import reports as report_store
from wire.categories import Category
from wire.events import POLICE_KINDS

# The heading of each entry; the words under it are the server's (or the farmer's own).
ENTRY_TITLES = {
    "received": N_("Received by Hedgerow"),
    "photo_received": N_("Photo received"),
    "farmer_update": N_("You added information"),
    "chased": N_("You chased the police"),
    "acknowledged": N_("Seen by police"),
    "assigned": N_("An officer has it"),
    "reference_added": N_("Crime reference"),
    "contacted": N_("Contact from the police"),
    "attended": N_("An officer attended"),
    "decision": N_("Decision"),
    "update_sent": N_("Update from the police"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
}
PHOTO_STATES = {
    "pending": N_("waiting to send"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("waiting to try again"),
}


@dataclass(frozen=True)
class Entry:
    key: str
    when: str
    title: str
    text: str | None
    new: bool


def _where(location: dict[str, Any]) -> str:
    where = f"{location['lat']:.5f}, {location['lon']:.5f}"
    if location.get("source") == "described":
        return _("In words: {place} (near {where})").format(place=location.get("place_name") or "", where=where)
    if location.get("grid_ref"):
        return _("Grid reference {reference}").format(reference=location["grid_ref"])
    if location.get("place_name"):
        return f"{location['place_name']} ({where})"
    accuracy = f" ±{location['accuracy_m']:.0f} m" if location.get("accuracy_m") is not None else ""
    return f"GPS {where}{accuracy}"


def _call_line(call: dict[str, Any]) -> str:
    line = _("{number} on {time}").format(number=call["channel"], time=shown_time(call["called_at"]))
    if call.get("waited_s") is not None:
        line += _(", waited {minutes} min").format(minutes=round(call["waited_s"] / 60))
    if outcome := call.get("outcome"):
        line += ", " + _(OUTCOME_LABELS.get(outcome, outcome)).lower()
    if call.get("reference"):
        line += _(", reference {reference}").format(reference=call["reference"])
    return line


@ft.observable
@dataclass
class ReportDetail:
    _store: Store
    _tz: tzinfo
    id: str
    title: str = ""
    state: str = ""
    occurred: str = ""
    where: str = ""
    reference: str | None = None
    description: str = ""
    details: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    problem: str | None = None
    overdue: bool = False
    notice: str = ""
    _new: set[int] = field(default_factory=set)

    @classmethod
    def open(
        cls, store: Store, report_id: str, categories: dict[str, Category], tz: tzinfo, now: datetime
    ) -> ReportDetail | None:
        detail = cls(_store=store, _tz=tz, id=report_id)
        return detail if detail.reload(categories, now) else None

    def reload(self, categories: dict[str, Category], now: datetime) -> bool:
        """Read the report again (after a sync pass); answers that arrived while it is open are marked new and
        read at once, since the farmer is looking at them. False when the report is no longer on the phone."""
        summary = report_store.saved_report(self._store, self.id)
        if summary is None:
            return False
        body = report_store.report_body(self._store, self.id)
        category = categories.get(summary.category)
        updates = report_store.status_updates(self._store, self.id)
        self._new |= {u.id for u in updates if u.seen_at is None and u.kind in POLICE_KINDS}
        report_store.mark_seen(self._store, self.id, now)
        self.title = _(category.label) if category else summary.category
        targets = answer_targets.load_answer_targets(self._store)
        urgent = bool(category and category.urgent)
        self.state = describe_state(summary, now, urgent, targets)
        self.overdue = is_overdue(summary, now, urgent, targets)
        self.occurred = shown_time(body["occurred_at"])
        self.where = _where(body["location"])
        self.reference = summary.police_reference
        self.description = body.get("description") or ""
        self.details = self._detail_lines(body, category)
        self.calls = [_call_line(c) for c in body.get("calls") or []]
        self.photos = [
            _("Photo {number}: {state}").format(number=n, state=_(PHOTO_STATES.get(p.state, p.state)))
            + (f" ({p.offset * 100 // p.upload_bytes}%)" if p.state != "sent" and p.offset else "")
            for n, p in enumerate(report_store.photo_states(self._store, self.id), start=1)
        ]
        self.entries = [self._entry(u) for u in updates] + self._own_entries(summary)
        self.problem = summary.problem
        return True

    def _entry(self, update: report_store.StatusUpdate) -> Entry:
        text = update.text
        if update.kind == "reference_added" and update.reference and not text:
            text = update.reference
        return Entry(
            key=f"entry-{update.id}",
            when=shown_time(update.at),
            title=_(ENTRY_TITLES[update.kind])
            if update.kind in ENTRY_TITLES
            else update.kind.replace("_", " ").capitalize(),
            text=text,
            new=update.id in self._new,
        )

    def _own_entries(self, summary: report_store.ReportSummary) -> list[Entry]:
        """The phone's own milestones, oldest last: saved, then sent."""
        own = []
        if summary.sent_at:
            own.append(Entry("entry-sent", shown_time(summary.sent_at), _("Sent to the police"), None, False))
        own.append(Entry("entry-saved", shown_time(summary.saved_at), _("Saved on this phone"), None, False))
        return own

    @staticmethod
    def _detail_lines(body: dict[str, Any], category: Category | None) -> list[str]:
        specs = {f.name: f for f in category.fields} if category else {}
        lines = []
        if body.get("anonymous"):
            lines.append(_("Sent without your name: the police cannot see who you are or call you back"))
        for name, value in (body.get("details") or {}).items():
            spec = specs.get(name)
            label = _(spec.label) if spec else name
            lines.append(_("{label}: {value}").format(label=label, value=shown_value(spec, value)))
        people = body.get("people") or {}
        if people.get("count") is not None or people.get("description"):
            count = f"{people['count']} " if people.get("count") is not None else ""
            lines.append(_("People: {people}").format(people=f"{count}{people.get('description') or ''}".strip()))
        for number, vehicle in enumerate(body.get("vehicles") or [], start=1):
            parts = [vehicle.get(k) for k in ("registration", "make", "model", "colour", "direction")]
            said = ", ".join(p for p in parts if p)
            lines.append(_("Vehicle {number}: {vehicle}").format(number=number, vehicle=said))
        return lines
