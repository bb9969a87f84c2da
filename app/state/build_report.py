"""Turn what the farmer typed into the report that is saved and sent, or say which step needs fixing.

The draft keeps what was typed as typed (so "25" stays "25" and a half-typed date is not lost); this module
reads it into the wire model, with one message per problem, each tied to the step where it is fixed.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from app.i18n import N_, _
from app.state.field_checks import (
    TIME_FORMAT,
    detail_problem,
    minutes_problem,
    parse_local,
    parse_number,
    people_problem,
    time_problem,
)
from wire.categories import Category, FieldSpec
from wire.normalise import normalise_registration
from wire.reports import CallLog, Location, People, PhotoDeclared, ReportCreate, Vehicle

OUTCOME_LABELS = {
    "answered": N_("Answered"),
    "abandoned": N_("I gave up waiting"),
    "callback_promised": N_("They promised to call back"),
    "cut_off": N_("The call was cut off"),
}


def format_local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(TIME_FORMAT)


def shown_value(spec: FieldSpec | None, value: Any) -> str:
    """A category field's value as the farmer reads it: a choice in their language, a tick as "yes", their own
    words as they typed them."""
    choice = spec is not None and spec.kind in ("choice", "multichoice")
    if isinstance(value, list):
        return ", ".join(_(v) if choice else str(v) for v in value)
    if value is True:
        return _("yes")
    return _(value) if choice and isinstance(value, str) else str(value)


def details_for_wire(category: Category, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The category's own fields as the wire wants them: numbers as numbers, blanks left out."""
    out: dict[str, Any] = {}
    errors: list[str] = []
    for spec in category.fields:
        value = raw.get(spec.name)
        problem = detail_problem(spec, value)
        if problem:
            errors.append(problem)
            continue
        if value is None or value == "" or value == [] or (spec.kind == "boolean" and value is False):
            continue
        out[spec.name] = (
            parse_number(value, whole=spec.kind == "integer") if spec.kind in ("integer", "money") else value
        )
    return out, errors


def build_report(
    data: dict[str, Any],
    photos: list[PhotoDeclared],
    categories: dict[str, Category],
    tz: tzinfo,
) -> tuple[ReportCreate | None, dict[str, list[str]]]:
    """Returns the report, or None and the problems by step name."""
    errors: dict[str, list[str]] = {}

    def problem(step: str, message: str) -> None:
        errors.setdefault(step, []).append(message)

    category = categories.get(data.get("category") or "")
    if category is None:
        problem("category", _("Choose what happened"))
    location = None
    if not data.get("location"):
        if data.get("no_location") and not (data.get("place_description") or "").strip():
            problem("location", _("Describe the place in words, for example “the gateway on Mill Lane”"))
        elif data.get("no_location"):
            problem("location", _("Hedgerow needs a rough position once: use your GPS or a grid reference"))
        else:
            problem("location", _("Give a location: your GPS, a saved place or a grid reference"))
    else:
        try:
            location = Location.model_validate(
                {**data["location"], "what3words": (data.get("what3words") or "").strip() or None}
            )
        except ValidationError as exc:
            problem("location", _("The location cannot be used: {reason}").format(reason=exc.errors()[0]["msg"]))
    details: dict[str, Any] = {}
    if category is not None:
        details, detail_errors = details_for_wire(category, data.get("details") or {})
        for message in detail_errors:
            problem("details", message)
    occurred_at = None
    if message := time_problem(_("When it happened"), data.get("occurred_text") or "", tz):
        problem("details", message)
    else:
        occurred_at = parse_local(data.get("occurred_text") or "", tz)
    vehicles = []
    for vehicle in data.get("vehicles") or []:
        fields = {k: (v or "").strip() or None for k, v in vehicle.items()}
        if any(fields.values()):
            if fields.get("registration"):
                fields["registration"] = normalise_registration(fields["registration"]) or None
            vehicles.append(Vehicle(**fields))
    people = None
    count_text = (data.get("people_count") or "").strip()
    people_text = (data.get("people_description") or "").strip()
    if message := people_problem(count_text):
        problem("details", message)
    elif count_text or people_text:
        people = People(
            count=int(parse_number(count_text, True)) if count_text else None, description=people_text or None
        )
    calls = []
    for number, call in enumerate(data.get("calls") or [], start=1):
        waited = (call.get("waited_min") or "").strip()
        found = [
            time_problem(_("When you called"), call.get("called_text") or "", tz),
            minutes_problem(waited),
            None if call.get("outcome") else _("how did the call end? Choose one"),
        ]
        if any(found):
            said = "; ".join(m[0].lower() + m[1:] for m in found if m)
            problem("calls", _("Call {number}: {problems}").format(number=number, problems=said))
            continue
        calls.append(
            CallLog(
                channel=call["channel"],
                called_at=parse_local(call.get("called_text") or "", tz),
                waited_s=int(parse_number(waited, False) * 60) if waited else None,
                outcome=call["outcome"],
                reference=(call.get("reference") or "").strip() or None,
            )
        )
    if errors or category is None or location is None or occurred_at is None:
        return None, errors
    try:
        report = ReportCreate(
            category=category.code,
            happening_now=bool(data.get("happening_now")),
            occurred_at=occurred_at,
            description=data.get("description") or "",
            location=location,
            details=details,
            vehicles=vehicles,
            people=people,
            calls=calls,
            created_at=datetime.fromisoformat(data["created_at"]),
            photos=photos,
            # Only where the category offers it: a choice made before the category was changed does not carry over.
            anonymous=bool(data.get("anonymous")) and category.anonymous_offered,
            alert_id=data.get("alert_id"),
        )
    except ValidationError as exc:
        for err in exc.errors():
            where = str(err["loc"][0]) if err["loc"] else "review"
            step = {"description": "details", "vehicles": "details", "details": "details"}.get(where, "review")
            problem(step, err["msg"].removeprefix("Value error, "))
        return None, errors
    return report, {}
