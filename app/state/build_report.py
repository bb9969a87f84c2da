"""Turn what the farmer typed into the report that is saved and sent, or say which step needs fixing.

The draft keeps what was typed as typed (so "25" stays "25" and a half-typed date is not lost); this module
reads it into the wire model, with one message per problem, each tied to the step where it is fixed.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from wire.categories import Category
from wire.normalise import normalise_registration
from wire.reports import CallLog, Location, People, PhotoDeclared, ReportCreate, Vehicle

TIME_FORMAT = "%d/%m/%Y %H:%M"
OUTCOME_LABELS = {
    "answered": "Answered",
    "abandoned": "I gave up waiting",
    "callback_promised": "They promised to call back",
    "cut_off": "The call was cut off",
}


def format_local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(TIME_FORMAT)


def parse_local(text: str, tz: tzinfo) -> datetime:
    """Read "23/11/2026 14:05" as a time on the phone's clock; raises ValueError with a usable message."""
    try:
        naive = datetime.strptime(" ".join(text.split()), TIME_FORMAT)
    except ValueError:
        raise ValueError("Write the time as day/month/year hours:minutes, for example 23/11/2026 14:05") from None
    return naive.replace(tzinfo=tz)


def _number(text: Any, whole: bool) -> int | float:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    cleaned = str(text).replace(",", "").replace("£", "").strip()
    value = float(cleaned)  # ValueError for words
    if whole:
        if value != int(value):
            raise ValueError("a whole number")
        return int(value)
    return value


def details_for_wire(category: Category, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The category's own fields as the wire wants them: numbers as numbers, blanks left out."""
    out: dict[str, Any] = {}
    errors: list[str] = []
    for spec in category.fields:
        value = raw.get(spec.name)
        if value is None or value == "" or value == [] or (spec.kind == "boolean" and value is False):
            if spec.required:
                errors.append(f"{spec.label}: please choose one")
            continue
        if spec.kind in ("integer", "money"):
            try:
                out[spec.name] = _number(value, whole=spec.kind == "integer")
            except ValueError:
                errors.append(f"{spec.label}: write a number" + (" (whole)" if spec.kind == "integer" else ""))
                continue
        else:
            out[spec.name] = value
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
        problem("category", "Choose what happened")
    location = None
    if not data.get("location"):
        problem("location", "Give a location: your GPS, a saved place or a grid reference")
    else:
        try:
            location = Location.model_validate(
                {**data["location"], "what3words": (data.get("what3words") or "").strip() or None}
            )
        except ValidationError as exc:
            problem("location", f"The location cannot be used: {exc.errors()[0]['msg']}")
    details: dict[str, Any] = {}
    if category is not None:
        details, detail_errors = details_for_wire(category, data.get("details") or {})
        for message in detail_errors:
            problem("details", message)
    occurred_at = None
    try:
        occurred_at = parse_local(data.get("occurred_text") or "", tz)
    except ValueError as exc:
        problem("details", f"When it happened: {exc}")
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
    if count_text or people_text:
        try:
            people = People(count=int(count_text) if count_text else None, description=people_text or None)
        except (ValueError, ValidationError):
            problem("details", "How many people: write a whole number")
    calls = []
    for number, call in enumerate(data.get("calls") or [], start=1):
        try:
            called_at = parse_local(call.get("called_text") or "", tz)
            waited = (call.get("waited_min") or "").strip()
            calls.append(
                CallLog(
                    channel=call["channel"],
                    called_at=called_at,
                    waited_s=int(float(waited) * 60) if waited else None,
                    outcome=call.get("outcome") or "answered",
                    reference=(call.get("reference") or "").strip() or None,
                )
            )
        except (ValueError, ValidationError, KeyError):
            problem("calls", f"Call {number}: check the time and the minutes waited")
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
        )
    except ValidationError as exc:
        for err in exc.errors():
            where = str(err["loc"][0]) if err["loc"] else "review"
            step = {"description": "details", "vehicles": "details", "details": "details"}.get(where, "review")
            problem(step, err["msg"].removeprefix("Value error, "))
        return None, errors
    return report, {}
