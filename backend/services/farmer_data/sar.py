"""A subject access request, answered by an admin (`hedgerow sar`): the farmer's export, found by the phone's id
or by the phone number they registered with, plus the staff's reads of their reports (`access_log.csv`)."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

import sqlite_utils
from pydantic import TypeAdapter, ValidationError

from backend.services.errors import Invalid, NotFound
from backend.services.farmer_data.export import Export, write_export
from wire.reports import PhoneNumber

_PHONE = TypeAdapter(PhoneNumber)
# Compared without the spacing a farmer may or may not have typed ("07700 900123", "(07700) 900-123").
_BARE_PHONE = "replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', '')"


def _bare(phone: str) -> str:
    return "".join(c for c in phone if c not in " -()")


def find_device(db: sqlite_utils.Database, device_id: str | None = None, phone: str | None = None) -> str:
    """The id of the one farmer's phone registered with this id or this number (normalised as registration
    does, spacing aside). NotFound when there is none; Invalid for a number registration would refuse, or one
    that more than one phone registered with (the message lists them, to ask again by --device)."""
    if device_id is not None:
        row = db.execute("SELECT id FROM devices WHERE id = ? AND kind = 'phone'", [device_id.strip()]).fetchone()
        if row is None:
            raise NotFound(f"no farmer's phone is registered with the id {device_id!r}")
        return row[0]
    try:
        number = _PHONE.validate_python(phone or "")
    except ValidationError:
        raise Invalid(f"{phone!r} is not a phone number as registration takes them (digits, spaces, + ( ) -)") from None
    rows = db.execute(
        f"SELECT id, created_at FROM devices WHERE kind = 'phone' AND {_BARE_PHONE} = ? ORDER BY created_at",
        [_bare(number)],
    ).fetchall()
    if not rows:
        raise NotFound(f"no farmer's phone is registered with the number {number!r}")
    if len(rows) > 1:
        listed = ", ".join(f"{r['id']} (registered {r['created_at']})" for r in rows)
        raise Invalid(f"{len(rows)} phones registered with {number!r}: {listed}; answer each by --device ID")
    return rows[0][0]


def write_sar(db: sqlite_utils.Database, photos_dir: Path, device_id: str, now: datetime, out: Path) -> Export:
    """Write the request's ZIP to `out`, which must not exist yet (an earlier answer is never overwritten); a
    failure leaves no half-written file."""
    with open(out, "xb") as f:
        try:
            return write_export(db, photos_dir, device_id, now, f, with_access_log=True)
        except BaseException:
            f.close()
            with contextlib.suppress(FileNotFoundError):
                os.remove(out)
            raise
