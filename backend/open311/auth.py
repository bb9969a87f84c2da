"""Who is asking: a partner, known by the api_key `hedgerow partners add` issued to it.

The spec sends `api_key` as a parameter (in the query, or in the form of a POST). It may also come as the password
of HTTP Basic authentication, for clients that cannot add parameters to a GET (a netrc file, for example).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request

from backend.deps import DbDep
from backend.open311.errors import Open311Error
from backend.services.partners import Partner, partner_for_key

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _basic_password(request: Request) -> str | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


async def api_key(request: Request) -> str | None:
    key = request.query_params.get("api_key")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if key is None and request.method == "POST" and content_type in _FORM_TYPES:
        form_key = (await request.form()).get("api_key")  # the form is parsed once and kept for the route
        key = form_key if isinstance(form_key, str) else None
    return key or _basic_password(request)


def require_partner(key: Annotated[str | None, Depends(api_key)], db: DbDep) -> Partner:
    if not key:
        raise Open311Error(403, "an api_key is required: ask the operator of this Hedgerow server for one")
    partner = partner_for_key(db, key)
    if partner is None:
        raise Open311Error(403, "invalid api_key")
    return partner


PartnerDep = Annotated[Partner, Depends(require_partner)]
