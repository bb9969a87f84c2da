"""The documented error answers, so that /openapi.json tells clients (and schemathesis) what to expect."""

from typing import Any

from wire.reports import ErrorBody


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Bad request",
        401: "No token, or a token that is unknown, revoked or expired",
        403: "The token's role may not do this",
        404: "No such report (or not yours)",
        409: "The id is already used for different content",
        413: "The body is larger than allowed",
        422: "The body or parameters are invalid; the message says which field and why",
        429: "Too many requests; retry after the number of seconds in Retry-After",
    }
    return {code: {"model": ErrorBody, "description": text[code]} for code in codes}
