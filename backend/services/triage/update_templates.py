"""Each force's templates for updates to the farmer (like FixMyStreet's response templates), edited by supervisors.

Each template is written in one language, English or Welsh; an officer writing to a farmer is offered those in the
language the farmer's phone reads (the built-in ones come from the catalogue in each language). A template is
plain text with a few placeholders filled in from the report when an officer picks it:
{reference}, {officer}, {category}, {force}, {received}. The officer can still edit the text before it is
sent. Filling is a plain replacement of those exact names (never str.format on stored text, which would let a
template reach into Python objects); anything else in braces is left as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.i18n import pgettext, speaking
from backend.security import iso
from backend.services.errors import Conflict, Invalid, NotFound
from backend.writes import write
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES

MAX_TITLE = 80
MAX_BODY = 5000
PLACEHOLDERS = ("reference", "officer", "category", "force", "received")


def built_in(language: str | None) -> list[tuple[str, str]]:
    """The templates offered until a force's supervisors write their own in that language: (title, text), in it.

    Farmer-facing words, titles too (a Welsh template is called in Welsh): the "farmer" context."""
    with speaking(language):
        return [
            (
                pgettext("farmer", "Acknowledged"),
                pgettext(
                    "farmer", "Thank you for your report. The rural crime team has it and {officer} is looking at it."
                ),
            ),
            (
                pgettext("farmer", "Crime reference"),
                pgettext(
                    "farmer",
                    "Your report has been recorded as a crime. The reference is {reference}; please quote it if you "
                    "call 101.",
                ),
            ),
            (
                pgettext("farmer", "Officer attending"),
                pgettext(
                    "farmer",
                    "An officer is on the way to you. If anyone is in danger or the offenders are still there, "
                    "call 999.",
                ),
            ),
            (
                pgettext("farmer", "No further action"),
                pgettext(
                    "farmer",
                    "We have looked at your report carefully. With the information we have, we cannot take it further "
                    "now; it stays on record and helps us see patterns. If anything new comes to light, add it to the "
                    "report.",
                ),
            ),
        ]


@dataclass(frozen=True)
class UpdateTemplate:
    id: int | None  # None for a built-in template
    title: str
    body: str
    updated_at: str | None = None
    language: str = "en"  # the language it is written in: offered to officers writing to farmers who read it

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


def _template(row: Any) -> UpdateTemplate:
    return UpdateTemplate(row["id"], row["title"], row["body"], row["updated_at"], row["language"])


def stored(db: sqlite_utils.Database, force: str, language: str | None = None) -> list[UpdateTemplate]:
    """The force's own templates (in one language, or all of them), by language then title."""
    sql = "SELECT id, title, body, updated_at, language FROM update_templates WHERE force = ?"
    params: list[Any] = [force]
    if language is not None:
        sql += " AND language = ?"
        params.append(language)
    return [_template(r) for r in db.execute(sql + " ORDER BY language, title", params).fetchall()]


def for_force(db: sqlite_utils.Database, force: str, language: str = DEFAULT_LANGUAGE) -> list[UpdateTemplate]:
    """The force's templates in the farmer's language, or the built-in ones in it while it has none of its own."""
    return stored(db, force, language) or [
        UpdateTemplate(None, title, body, language=language) for title, body in built_in(language)
    ]


def get(db: sqlite_utils.Database, force: str, template_id: int) -> UpdateTemplate:
    row = db.execute(
        "SELECT id, title, body, updated_at, language FROM update_templates WHERE id = ? AND force = ?",
        [template_id, force],
    ).fetchone()
    if row is None:
        raise NotFound("no such template")
    return _template(row)


def save(
    db: sqlite_utils.Database,
    force: str,
    title: str,
    body: str,
    user_id: int,
    now: datetime,
    template_id: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Add a template, or change one of the force's own (another force's id is not found). Returns its id."""
    title, body = _check(title, body)
    if language not in LANGUAGES:
        raise Invalid(f"a template's language must be one of {', '.join(LANGUAGES)}")
    with write(db):
        clash = db.execute(
            "SELECT id FROM update_templates WHERE force = ? AND title = ? AND id IS NOT ?", [force, title, template_id]
        ).fetchone()
        if clash:
            raise Conflict(f"there is already a template called {title!r}")
        if template_id is None:
            return db.execute(
                "INSERT INTO update_templates (force, title, body, updated_at, updated_by, language) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [force, title, body, iso(now), user_id, language],
            ).lastrowid
        changed = db.execute(
            "UPDATE update_templates SET title = ?, body = ?, updated_at = ?, updated_by = ?, language = ? "
            "WHERE id = ? AND force = ?",
            [title, body, iso(now), user_id, language, template_id, force],
        ).rowcount
        if not changed:
            raise NotFound("no such template")
        return template_id


def delete(db: sqlite_utils.Database, force: str, template_id: int) -> None:
    with write(db):
        if not db.execute("DELETE FROM update_templates WHERE id = ? AND force = ?", [template_id, force]).rowcount:
            raise NotFound("no such template")


def values_for(
    report: dict[str, Any], officer: str, category_label: str, received: str, force: str | None = None
) -> dict[str, str]:
    """The placeholders' values, each already in the farmer's words (the caller translates the category, the date
    and the force's name into the language the farmer reads)."""
    return {
        "reference": report.get("police_reference") or "",
        "officer": officer,
        "category": category_label,
        "force": force if force is not None else report.get("force") or "",
        "received": received,
    }
