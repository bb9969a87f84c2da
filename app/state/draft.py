"""The report being typed: every change is kept on the phone at once, so a killed app loses nothing.

Views read the fields and call the methods; the methods change the fields (which redraws the views that
show them) and save the draft. Location finding and photos are in the mixins beside this module.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import flet as ft

from app.i18n import N_, _
from app.state.build_report import OUTCOME_LABELS, build_report, format_local, parse_local
from app.state.draft_location import LocationSteps
from app.state.draft_photos import PhotoItem, PhotoSteps
from app.state.field_checks import detail_problem, minutes_problem, people_problem, time_problem
from app.state.ports import Ports
from app.store import Store
from app.store import drafts as draft_store
from app.store import photos as photo_store
from app.store import reports as report_store
from wire.categories import Category
from wire.normalise import normalise_registration
from wire.reports import PhotoDeclared

STEPS = ("danger", "category", "photos", "location", "details", "calls", "review")
STEP_TITLES = {
    "danger": N_("Is anyone in danger?"),
    "category": N_("What happened?"),
    "photos": N_("Photos"),
    "location": N_("Where?"),
    "details": N_("Details"),
    "calls": N_("Calls to the police"),
    "review": N_("Check and save"),
}
# What is kept in the drafts table; everything else on the object is working state (progress, messages).
PERSISTED = (
    "step",
    "happening_now",
    "category",
    "location",
    "grid_ref_text",
    "what3words",
    "no_location",
    "place_description",
    "details",
    "occurred_text",
    "description",
    "vehicles",
    "people_count",
    "people_description",
    "called_already",
    "calls",
    "created_at",
    "anonymous",
    "alert_id",
    "alert_title",
)
VEHICLE_FIELDS = ("registration", "make", "model", "colour", "direction")
MAX_VEHICLES = 20
MAX_CALLS = 20


@ft.observable
@dataclass
class ReportDraft(LocationSteps, PhotoSteps):
    _store: Store
    _ports: Ports
    _categories: dict[str, Category]
    _tz: tzinfo
    id: str = ""
    step: str = "danger"
    happening_now: bool | None = None
    category: str | None = None
    location: dict[str, Any] | None = None
    grid_ref_text: str = ""
    what3words: str = ""
    no_location: bool = False  # "I can't give a location": the place in words instead
    place_description: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    occurred_text: str = ""
    description: str = ""
    vehicles: list[dict[str, str]] = field(default_factory=list)
    people_count: str = ""
    people_description: str = ""
    called_already: bool | None = None
    calls: list[dict[str, str]] = field(default_factory=list)
    created_at: str = ""
    anonymous: bool = False  # "Send without my name", for the categories that offer it
    alert_id: int | None = None  # the police alert this report answers ("I've seen this")
    alert_title: str = ""
    # Working state, not saved.
    photos: list[PhotoItem] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    gps_status: str = ""
    gps_busy: bool = False
    gps_poor: bool = False  # the last fix was too rough, or there was none: the status is a warning
    grid_ref_error: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)  # beside the field, as the farmer types
    place_message: str = ""
    photo_message: str = ""
    saving: bool = False
    save_attempts: int = 0  # failed saves, so the review scrolls back to its list of problems
    saved_report_id: str | None = None

    # ----- creating, restoring, saving the draft itself

    @classmethod
    def start(cls, store: Store, ports: Ports, categories: dict[str, Category], tz: tzinfo) -> ReportDraft:
        now = ports.clock()
        draft = cls(_store=store, _ports=ports, _categories=categories, _tz=tz)
        draft.id = str(uuid.uuid4())
        draft.created_at = now.isoformat()
        draft.occurred_text = format_local(now, tz)
        draft._save()
        return draft

    @classmethod
    def restore(cls, store: Store, ports: Ports, categories: dict[str, Category], tz: tzinfo) -> ReportDraft | None:
        stored = draft_store.latest_draft(store)
        if stored is None:
            return None
        draft = cls(_store=store, _ports=ports, _categories=categories, _tz=tz)
        draft.id = stored.id
        for name in PERSISTED:
            if name in stored.data:
                setattr(draft, name, stored.data[name])
        if draft.step not in STEPS:
            draft.step = "danger"
        draft._load_photos()
        return draft

    def snapshot(self) -> dict[str, Any]:
        """The saved form of the draft: plain JSON values."""

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return {name: plain(getattr(self, name)) for name in PERSISTED}

    def _save(self) -> None:
        draft_store.save_draft(self._store, self.id, self.step, self.snapshot(), self._ports.clock())

    @property
    def category_spec(self) -> Category | None:
        return self._categories.get(self.category or "")

    def answer_alert(self, alert_id: int, title: str, category: str | None, registration: str | None) -> None:
        """A report started from a police alert: linked to it, with its category and vehicle filled in. The flow
        then goes on as usual, from the danger question."""
        self.alert_id, self.alert_title = alert_id, title
        if category in self._categories:
            self.category = category
        if registration:
            self.vehicles = [{**dict.fromkeys(VEHICLE_FIELDS, ""), "registration": registration}]
        self._save()

    # ----- moving between steps

    @property
    def step_number(self) -> int:
        return STEPS.index(self.step) + 1

    def go_to(self, step: str) -> None:
        if step not in STEPS:
            raise ValueError(step)
        self.step = step
        if step == "review":
            self.check()
        self._save()

    def next_step(self) -> None:
        if self.step == "category" and self.category is None:
            self.errors = {"category": [_("Choose what happened")]}
            return
        if self.step == "location" and (problem := self.location_problem()):
            self.errors = {**self.errors, "location": [problem]}
            return
        position = STEPS.index(self.step)
        self.go_to(STEPS[min(position + 1, len(STEPS) - 1)])

    def previous_step(self) -> None:
        position = STEPS.index(self.step)
        self.go_to(STEPS[max(position - 1, 0)])

    # ----- step 1: danger

    def answer_danger(self, in_danger: bool) -> None:
        self.happening_now = in_danger
        if not in_danger:
            self.step = "category"
        self._save()

    async def call_999(self) -> None:
        """Record the 999 call in the report, then dial: the record survives whatever the dialler does."""
        now = self._ports.clock()
        self.happening_now = True
        self.called_already = True
        self.calls.append(
            {
                "channel": "999",
                "called_text": format_local(now, self._tz),
                "waited_min": "",
                "outcome": "",  # nothing pre-ticked: the farmer says how it ended
                "reference": "",
            }
        )
        self._save()
        await self._ports.dialer.launch("tel:999")

    # ----- step 2: category

    def choose_category(self, code: str) -> None:
        if code not in self._categories:
            raise ValueError(f"unknown category {code}")
        if code != self.category:
            self.details = {}
        if not self._categories[code].anonymous_offered:
            self.anonymous = False
        self.category = code
        self.errors = {}
        self.step = "photos"
        self._save()

    # ----- step 5: details

    def set_detail(self, name: str, value: Any) -> None:
        spec = self.category_spec
        if spec is None or name not in {f.name for f in spec.fields}:
            raise ValueError(f"{name} is not a field of {self.category}")
        self.details[name] = value
        field = next(f for f in spec.fields if f.name == name)
        # While typing, only what is wrong with what was typed; "please fill this in" waits for the check.
        self._field_error(f"detail-{name}", detail_problem(field, value) if value not in (None, "", []) else None)
        self._save()

    def send_without_name(self, anonymous: bool) -> None:
        """The farmer's choice for a category that offers it: the police will not see their name and contacts."""
        spec = self.category_spec
        if spec is None or not spec.anonymous_offered:
            raise ValueError(f"{self.category} cannot be sent without a name")
        self.anonymous = anonymous
        self._save()

    def _field_error(self, key: str, message: str | None) -> None:
        old = self.field_errors.get(key)
        errors = {k: v for k, v in self.field_errors.items() if k != key}
        if message:
            errors[key] = message
        if errors != self.field_errors:
            self.field_errors = errors
        if old and old != message:  # put right: off the review's list too
            self.errors = {step: [m for m in ms if old not in m] for step, ms in self.errors.items() if ms != [old]}

    def all_field_errors(self) -> dict[str, str]:
        """Every field's problem, empty required ones included: for the review and the step it opens."""
        errors: dict[str, str] = {}
        spec = self.category_spec
        for f in spec.fields if spec else ():
            if problem := detail_problem(f, self.details.get(f.name)):
                errors[f"detail-{f.name}"] = problem
        if problem := time_problem(_("When it happened"), self.occurred_text, self._tz):
            errors["detail-occurred"] = problem
        if problem := people_problem(self.people_count):
            errors["detail-people-count"] = problem
        for i, call in enumerate(self.calls):
            if problem := time_problem(_("When you called"), call.get("called_text") or "", self._tz):
                errors[f"call-{i}-when"] = problem
            if problem := minutes_problem(call.get("waited_min") or ""):
                errors[f"call-{i}-waited"] = problem
            if not call.get("outcome"):
                errors[f"call-{i}-outcome"] = _("How did the call end? Choose one")
        return errors

    def toggle_choice(self, name: str, choice: str, on: bool) -> None:
        current = [c for c in self.details.get(name) or [] if c != choice]
        if on:
            current.append(choice)
        self.set_detail(name, current)

    def set_text(self, name: str, value: str) -> None:
        """For the free-text fields of the draft: description, occurred_text, people, what3words."""
        if name not in ("description", "occurred_text", "people_count", "people_description", "what3words"):
            raise ValueError(name)
        setattr(self, name, value)
        if name == "occurred_text":
            self._field_error("detail-occurred", time_problem(_("When it happened"), value, self._tz))
        elif name == "people_count":
            self._field_error("detail-people-count", people_problem(value))
        self._save()

    def occurred_now(self) -> None:
        self.set_text("occurred_text", format_local(self._ports.clock(), self._tz))

    def add_vehicle(self) -> None:
        if len(self.vehicles) < MAX_VEHICLES:
            self.vehicles.append(dict.fromkeys(VEHICLE_FIELDS, ""))
            self._save()

    def set_vehicle(self, index: int, name: str, value: str) -> None:
        if name not in VEHICLE_FIELDS:
            raise ValueError(name)
        vehicle = dict(self.vehicles[index])
        vehicle[name] = value
        self.vehicles[index] = vehicle
        self._save()

    def tidy_registration(self, index: int) -> None:
        """Upper case, no spaces: how the police search for a plate. Done when the farmer leaves the box."""
        self.set_vehicle(index, "registration", normalise_registration(self.vehicles[index]["registration"]))

    def remove_vehicle(self, index: int) -> None:
        del self.vehicles[index]
        self._save()

    # ----- step 6: calls

    def answer_called(self, called: bool) -> None:
        self.called_already = called
        if called and not self.calls:
            self.add_call("101")
        self._save()

    def add_call(self, channel: str, started: datetime | None = None) -> None:
        if len(self.calls) >= MAX_CALLS:
            return
        when = started or self._ports.clock()
        self.called_already = True
        self.calls.append(
            {
                "channel": channel,
                "called_text": format_local(when, self._tz),
                "waited_min": "",
                "outcome": "",  # nothing pre-ticked: the farmer says how it ended
                "reference": "",
            }
        )
        self._save()

    def set_call(self, index: int, name: str, value: str) -> None:
        if name not in ("channel", "called_text", "waited_min", "outcome", "reference"):
            raise ValueError(name)
        if name == "outcome" and value and value not in OUTCOME_LABELS:
            raise ValueError(value)
        call = dict(self.calls[index])
        call[name] = value
        self.calls[index] = call
        if name == "called_text":
            self._field_error(f"call-{index}-when", time_problem(_("When you called"), value, self._tz))
        elif name == "waited_min":
            self._field_error(f"call-{index}-waited", minutes_problem(value))
        elif name == "outcome":
            self._field_error(f"call-{index}-outcome", None)
        self._save()

    def remove_call(self, index: int) -> None:
        del self.calls[index]
        if not self.calls:
            self.called_already = False
        self._save()

    # ----- step 7: review and save

    def _declared_photos(self) -> list[PhotoDeclared]:
        """Each photo as the report declares it, with its provenance beside it (the upload copy has no EXIF).
        The camera's position goes to the police as evidence; it never becomes the report's location."""
        return [
            PhotoDeclared(
                photo_id=uuid.UUID(p.id),
                sha256=p.upload_sha256,
                bytes=p.upload_bytes,
                content_type="image/jpeg",
                taken_at=datetime.fromisoformat(p.taken_at) if p.taken_at else None,
                taken_lat=p.gps_lat if p.gps_lon is not None else None,
                taken_lon=p.gps_lon if p.gps_lat is not None else None,
                original_sha256=p.original_sha256,
            )
            for p in self.photos
        ]

    def check(self) -> bool:
        report, errors = build_report(self.snapshot(), self._declared_photos(), self._categories, self._tz)
        self.errors = errors
        self.field_errors = self.all_field_errors()
        return report is not None

    def save(self) -> str | None:
        """Save the report on the phone and queue it; returns its id, or None with `errors` saying why."""
        report, errors = build_report(self.snapshot(), self._declared_photos(), self._categories, self._tz)
        self.errors = errors
        self.field_errors = self.all_field_errors()
        if report is None:
            self.save_attempts += 1
            return None
        report_id = str(uuid.uuid4())
        report_store.save_report(self._store, report_id, self.id, report, self._ports.clock())
        self.saved_report_id = report_id
        return report_id

    def discard(self) -> None:
        paths = draft_store.discard_draft(self._store, self.id)
        photo_store.delete_files(self._store, paths)

    def when_called(self, index: int) -> datetime | None:
        try:
            return parse_local(self.calls[index]["called_text"], self._tz)
        except (ValueError, KeyError, IndexError):
            return None
