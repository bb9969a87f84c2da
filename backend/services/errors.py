"""Domain errors the routes turn into HTTP answers, so services never import FastAPI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Every refusal a service makes, with the HTTP status a route answers it with (one handler, in main.py).

    The message is for people: the farmer's app, the console and API clients show it as it is."""

    status_code = 400


class NotFound(DomainError, LookupError):
    status_code = 404


class Conflict(DomainError, ValueError):
    status_code = 409


class Forbidden(DomainError, PermissionError):
    status_code = 403


class Invalid(DomainError, ValueError):
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
