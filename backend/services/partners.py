"""Open311 partners: who they are, their api_keys, and which reports beyond their own they may read."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import DEVICE_TOKEN_PREFIX, iso, new_token, token_hash
from backend.services.areas import boundaries
from backend.services.errors import Conflict, Invalid
from backend.writes import write
from wire.categories import BY_CODE

PARTNER_KEY_PREFIX = "hp_"
# Fixed forever: a partner's report ids are derived from it, so changing it would break idempotency.
_REPORT_ID_NAMESPACE = uuid.UUID("5f0c1c4e-9b1a-4c57-8e0e-0a3a1d7f3311")


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    categories: frozenset[str]
    forces: frozenset[str]
    device_id: str

    @classmethod
    def from_row(cls, row: Any) -> Partner:
        return cls(
            id=row["id"],
            name=row["name"],
            categories=frozenset(json.loads(row["categories"])),
            forces=frozenset(json.loads(row["forces"])),
            device_id=row["device_id"],
        )

    def owns(self, report: dict[str, Any]) -> bool:
        return report["device_id"] == self.device_id

    def may_read(self, report: dict[str, Any]) -> bool:
        """Its own submissions; others only in both a permitted category and a permitted force."""
        if self.owns(report):
            return True
        return report["category"] in self.categories and report["force"] in self.forces


def add_partner(
    db: sqlite_utils.Database, name: str, categories: list[str], forces: list[str], now: datetime
) -> tuple[Partner, str]:
    """Create a partner and its device; returns it with its api_key, which is shown once and stored as a hash."""
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("a partner's name needs 1 to 120 characters")
    unknown = sorted(set(categories) - set(BY_CODE))
    if unknown:
        raise Invalid(f"unknown categor(ies): {', '.join(unknown)}; known: {', '.join(BY_CODE)}")
    known_forces = boundaries.forces(db)
    missing = sorted(set(forces) - set(known_forces))
    if missing:
        known = ", ".join(known_forces) if known_forces else "none: import areas first"
        raise Invalid(f"unknown force(s): {', '.join(missing)}; known forces: {known}")
    api_key = new_token(PARTNER_KEY_PREFIX)
    partner_id = str(uuid.uuid4())
    device_id = str(uuid.uuid4())
    with write(db):
        if db.execute("SELECT 1 FROM partners WHERE name = ?", [name]).fetchone():
            raise Conflict(f"partner {name!r} already exists")
        # The device's token is never issued: the partner authenticates with its api_key, never as a phone.
        db.execute(
            "INSERT INTO devices (id, token_hash, name, phone, created_at, kind) VALUES (?, ?, ?, '', ?, 'partner')",
            [device_id, token_hash(new_token(DEVICE_TOKEN_PREFIX)), f"{name} (Open311 partner)", iso(now)],
        )
        db.execute(
            "INSERT INTO partners (id, name, api_key_hash, categories, forces, device_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                partner_id,
                name,
                token_hash(api_key),
                json.dumps(sorted(set(categories))),
                json.dumps(sorted(set(forces))),
                device_id,
                iso(now),
            ],
        )
    partner = Partner(partner_id, name, frozenset(categories), frozenset(forces), device_id)
    return partner, api_key


def partner_for_key(db: sqlite_utils.Database, api_key: str) -> Partner | None:
    if not api_key.startswith(PARTNER_KEY_PREFIX):
        return None
    row = db.execute(
        "SELECT * FROM partners WHERE api_key_hash = ? AND revoked_at IS NULL", [token_hash(api_key)]
    ).fetchone()
    return Partner.from_row(row) if row else None


def partner_report_id(partner: Partner, partner_key: str | None) -> str:
    """The report id for a partner's POST: derived from its own key, so a repeated POST names the same report."""
    if partner_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_REPORT_ID_NAMESPACE, f"{partner.id}\n{partner_key}"))


def record_partner_request(
    db: sqlite_utils.Database,
    partner: Partner,
    report_id: str,
    partner_key: str | None,
    extra: dict[str, str],
    media_url: str | None,
    account_id: str | None,
    now: datetime,
) -> None:
    """Keep what the POST carried beyond the report. Call in the transaction that stored the report.

    `extra` holds the reporter's contact details (personal data) and the partner's own references.
    """
    db.execute(
        "INSERT INTO partner_requests (report_id, partner_id, partner_key, extra, media_url, account_id, "
        "submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [report_id, partner.id, partner_key, json.dumps(extra), media_url, account_id, iso(now)],
    )
