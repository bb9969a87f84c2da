"""What is wrong with one typed value, in words a farmer understands, or None when it is fine.

Used twice on purpose: as the farmer types (the message beside the field) and when the report is checked
before saving (the list on the review screen), so both always say the same thing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from app.i18n import N_, _
from wire.categories import FieldSpec

TIME_FORMAT = "%d/%m/%Y %H:%M"
TIME_MESSAGE = N_("Write the time as day/month/year hours:minutes, for example 23/11/2026 14:05")


def parse_local(text: str, tz: tzinfo) -> datetime:
    """Read "23/11/2026 14:05" as a time on the phone's clock; raises ValueError with a usable message."""
    try:
        naive = datetime.strptime(" ".join(text.split()), TIME_FORMAT)
    except ValueError:
        raise ValueError(_(TIME_MESSAGE)) from None
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
    example = example or ("3" if whole else "250")
    try:
        value = parse_number(text, whole)
    except ValueError:
        wanted = (
            _("{label}: type a whole number, for example {example}")
            if whole
            else _("{label}: type a number, for example {example}")
        )
        return wanted.format(label=label, example=example)
    if not minimum <= value <= maximum:
        return _("{label}: type a number from {minimum} to {maximum}").format(
            label=label, minimum=f"{minimum:,.0f}", maximum=f"{maximum:,.0f}"
        )
    return None


def detail_problem(spec: FieldSpec, value: Any) -> str | None:
    """A category field as typed: required and empty, or not a number where one is wanted."""
    label = _(spec.label)
    if _blank(value) or (spec.kind == "boolean" and value is False):
        if not spec.required:
            return None
        if spec.kind in ("choice", "multichoice", "boolean"):
            return _("{label}: please choose one").format(label=label)
        return _("{label}: please fill this in").format(label=label)
    if spec.kind in ("integer", "money"):
        return number_problem(label, value, spec.kind == "integer", spec.minimum, spec.maximum)
    if isinstance(value, str) and len(value) > spec.max_length:
        return _("{label}: keep it under {limit} letters").format(label=label, limit=spec.max_length)
    return None


def time_problem(label: str, text: str, tz: tzinfo, required: bool = True) -> str | None:
    if not text.strip():
        return _joined(label, _(TIME_MESSAGE)) if required else None
    try:
        parse_local(text, tz)
    except ValueError as exc:
        return _joined(label, str(exc))
    return None


def _joined(label: str, message: str) -> str:
    """ "When it happened: write the time as ...": the field's name, then the message going on from it."""
    return _("{label}: {problem}").format(label=label, problem=message[0].lower() + message[1:])


def people_problem(text: str) -> str | None:
    return number_problem(_("How many people"), text, whole=True, maximum=1000)


def minutes_problem(text: str) -> str | None:
    return number_problem(_("Minutes you waited"), text, whole=False, maximum=24 * 60, example="20")
