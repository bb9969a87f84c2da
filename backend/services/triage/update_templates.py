"""Each force's templates for updates to the farmer (like FixMyStreet's response templates), edited by supervisors.

A template is plain text with a few placeholders filled in from the report when an officer picks it:
{reference}, {officer}, {category}, {force}, {received}. The officer can still edit the text before it is
sent. Filling is a plain replacement of those exact names (never str.format on stored text, which would let a
template reach into Python objects); anything else in braces is left as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import iso
from backend.services.errors import Conflict, Invalid, NotFound
from backend.writes import write

MAX_TITLE = 80
MAX_BODY = 5000
PLACEHOLDERS = ("reference", "officer", "category", "force", "received")

# Offered until a force's supervisors write their own.
BUILT_IN: tuple[tuple[str, str], ...] = (
    (
        "Acknowledged",
        "Thank you for your report. The rural crime team has it and {officer} is looking at it.",
    ),
    (
        "Crime reference",
        "Your report has been recorded as a crime. The reference is {reference}; please quote it if you call 101.",
    ),
    (
        "Officer attending",
        "An officer is on the way to you. If anyone is in danger or the offenders are still there, call 999.",
    ),
    (
        "No further action",
        "We have looked at your report carefully. With the information we have, we cannot take it further now; "
        "it stays on record and helps us see patterns. If anything new comes to light, add it to the report.",
    ),
)


@dataclass(frozen=True)
class UpdateTemplate:
    id: int | None  # None for a built-in template
    title: str
    body: str
    updated_at: str | None = None

    def filled(self, values: dict[str, str]) -> str:
        text = self.body
        for name in PLACEHOLDERS:
            text = text.replace("{" + name + "}", values.get(name) or f"[{name}]")
        return text


def _check(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise Invalid(f"a template needs a title of 1 to {MAX_TITLE} characters")
    if not body or len(body) > MAX_BODY:
        raise Invalid(f"a template needs text of 1 to {MAX_BODY} characters")
    return title, body


def stored(db: sqlite_utils.Database, force: str) -> list[UpdateTemplate]:
    rows = db.execute(
        "SELECT id, title, body, updated_at FROM update_templates WHERE force = ? ORDER BY title", [force]
    ).fetchall()
    return [UpdateTemplate(r["id"], r["title"], r["body"], r["updated_at"]) for r in rows]


def for_force(db: sqlite_utils.Database, force: str) -> list[UpdateTemplate]:
    """The force's templates, or the built-in ones while it has none of its own."""
    return stored(db, force) or [UpdateTemplate(None, title, body) for title, body in BUILT_IN]


def get(db: sqlite_utils.Database, force: str, template_id: int) -> UpdateTemplate:
    row = db.execute(
        "SELECT id, title, body, updated_at FROM update_templates WHERE id = ? AND force = ?", [template_id, force]
    ).fetchone()
    if row is None:
        raise NotFound("no such template")
    return UpdateTemplate(row["id"], row["title"], row["body"], row["updated_at"])


def save(
    db: sqlite_utils.Database,
    force: str,
    title: str,
    body: str,
    user_id: int,
    now: datetime,
    template_id: int | None = None,
) -> int:
    """Add a template, or change one of the force's own (another force's id is not found). Returns its id."""
    title, body = _check(title, body)
    with write(db):
        clash = db.execute(
            "SELECT id FROM update_templates WHERE force = ? AND title = ? AND id IS NOT ?", [force, title, template_id]
        ).fetchone()
        if clash:
            raise Conflict(f"there is already a template called {title!r}")
        if template_id is None:
            return db.execute(
                "INSERT INTO update_templates (force, title, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)",
                [force, title, body, iso(now), user_id],
            ).lastrowid
        changed = db.execute(
            "UPDATE update_templates SET title = ?, body = ?, updated_at = ?, updated_by = ? "
            "WHERE id = ? AND force = ?",
            [title, body, iso(now), user_id, template_id, force],
        ).rowcount
        if not changed:
            raise NotFound("no such template")
        return template_id


def delete(db: sqlite_utils.Database, force: str, template_id: int) -> None:
    with write(db):
        if not db.execute("DELETE FROM update_templates WHERE id = ? AND force = ?", [template_id, force]).rowcount:
            raise NotFound("no such template")


def values_for(report: dict[str, Any], officer: str, category_label: str, received: str) -> dict[str, str]:
    return {
        "reference": report.get("police_reference") or "",
        "officer": officer,
        "category": category_label,
        "force": report.get("force") or "",
        "received": received,
    }
