"""Domain errors the routes turn into HTTP answers, so services never import FastAPI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class NotFound(LookupError):
    status_code = 404


class Conflict(ValueError):
    status_code = 409


class Forbidden(PermissionError):
    status_code = 403


class Invalid(ValueError):
    status_code = 422


# Pydantic starts the message of an error raised in a validator with the exception's kind. People read these
# messages (the farmer's app shows them beside the field, the console above its form), so the kind is cut off.
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain_message(msg: object) -> str:
    """A validation message as a person should read it."""
    text = str(msg)
    for prefix in _PYDANTIC_PREFIXES:
        text = text.removeprefix(prefix)
    return text


def plain_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors reduced to where, what and why, each message without pydantic's prefix."""
    return [
        {k: plain_message(v) if k == "msg" else v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors
    ]
