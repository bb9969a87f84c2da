"""What is wrong with one typed value, in words a farmer understands, or None when it is fine.

Used twice on purpose: as the farmer types (the message beside the field) and when the report is checked
before saving (the list on the review screen), so both always say the same thing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from wire.categories import FieldSpec

TIME_FORMAT = "%d/%m/%Y %H:%M"
TIME_MESSAGE = "Write the time as day/month/year hours:minutes, for example 23/11/2026 14:05"


def parse_local(text: str, tz: tzinfo) -> datetime:
    """Read "23/11/2026 14:05" as a time on the phone's clock; raises ValueError with a usable message."""
    try:
        naive = datetime.strptime(" ".join(text.split()), TIME_FORMAT)
    except ValueError:
        raise ValueError(TIME_MESSAGE) from None
    return naive.replace(tzinfo=tz)


def parse_number(text: Any, whole: bool) -> int | float:
    """A number as a farmer types it ("1,200", "£250"); ValueError for words or a fraction where whole."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    cleaned = str(text).replace(",", "").replace("£", "").strip()
    value = float(cleaned)  # ValueError for words
    if whole:
        if value != int(value):
            raise ValueError("a whole number")
        return int(value)
    return value


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def number_problem(
    label: str,
    text: Any,
    whole: bool,
    minimum: float = 0,
    maximum: float = 1_000_000_000,
    example: str | None = None,
) -> str | None:
    if _blank(text):
        return None
    example = f"for example {example or ('3' if whole else '250')}"
    try:
        value = parse_number(text, whole)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        return f"{label}: type {kind}, {example}"
    if not minimum <= value <= maximum:
        return f"{label}: type a number from {minimum:,.0f} to {maximum:,.0f}"
    return None


def detail_problem(spec: FieldSpec, value: Any) -> str | None:
    """A category field as typed: required and empty, or not a number where one is wanted."""
    if _blank(value) or (spec.kind == "boolean" and value is False):
        if not spec.required:
            return None
        choose = spec.kind in ("choice", "multichoice", "boolean")
        return f"{spec.label}: please {'choose one' if choose else 'fill this in'}"
    if spec.kind in ("integer", "money"):
        return number_problem(spec.label, value, spec.kind == "integer", spec.minimum, spec.maximum)
    if isinstance(value, str) and len(value) > spec.max_length:
        return f"{spec.label}: keep it under {spec.max_length} letters"
    return None


def time_problem(label: str, text: str, tz: tzinfo, required: bool = True) -> str | None:
    if not text.strip():
        return f"{label}: {TIME_MESSAGE[0].lower()}{TIME_MESSAGE[1:]}" if required else None
    try:
        parse_local(text, tz)
    except ValueError as exc:
        return f"{label}: {str(exc)[0].lower()}{str(exc)[1:]}"
    return None


def people_problem(text: str) -> str | None:
    return number_problem("How many people", text, whole=True, maximum=1000)


def minutes_problem(text: str) -> str | None:
    return number_problem("Minutes you waited", text, whole=False, maximum=24 * 60, example="20")
