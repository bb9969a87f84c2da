"""A report's events in words, for the report page's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from backend.console.render import FLAG_WORDS, words
from backend.i18n import _
from backend.services.intake.farmer_text import outcome_words
from backend.services.staff import accounts


@dataclass(frozen=True)
class TimelineItem:
    id: int
    kind: str
    at: str
    who: str
    title: str
    detail: str | None
    public: bool
    duplicate_of: str | None = None


def _title(kind: str, data: dict[str, Any]) -> str:
    if kind == "assigned":
        return _("Assigned to %(officer)s") % {"officer": data.get("officer") or _("an officer")}
    if kind == "reference_added":
        return _("Crime reference given: %(reference)s") % {"reference": data.get("reference", "")}
    if kind == "decision":
        decided = {"investigate": _("investigate"), "no_further_action": _("no further action")}
        return _("Decision: %(decision)s") % {
            "decision": decided.get(data.get("decision", ""), data.get("decision", ""))
        }
    if kind == "closed":
        return _("Closed: %(outcome)s") % {"outcome": outcome_words(data.get("outcome", ""))}
    if kind in ("flag_raised", "flag_cleared"):
        flag = words(FLAG_WORDS, data.get("flag", ""))
        return (_("Flag raised: %(flag)s") if kind == "flag_raised" else _("Flag cleared: %(flag)s")) % {"flag": flag}
    return {
        "received": _("Report received"),
        "photo_received": _("Photo received"),
        "acknowledged": _("Acknowledged"),
        "contacted": _("Farmer contacted"),
        "attended": _("Attended"),
        "update_sent": _("Update sent to the farmer"),
        "farmer_update": _("The farmer added information"),
        "chased": _("The farmer chased the report"),
        "note": _("Internal note"),
        "reopened": _("Reopened"),
        "hold_placed": _("Kept as evidence (legal hold)"),
        "hold_removed": _("Legal hold removed"),
        "contact_erased": _("The farmer asked for their contact details to be erased"),
    }.get(kind, kind)


def _detail(kind: str, data: dict[str, Any]) -> str | None:
    if kind in ("decision", "hold_placed", "hold_removed"):
        return data.get("reason")
    return data.get("text") or None


def items(
    db: sqlite_utils.Database, staff_timeline: list[dict[str, Any]], include_internal: bool
) -> list[TimelineItem]:
    """The staff view's timeline in words, newest first; internal notes left out for cross-border readers."""
    user_ids = {
        int(e["actor_id"]) for e in staff_timeline if e["actor_kind"] == "user" and (e["actor_id"] or "").isdigit()
    }
    names = accounts.display_names(db, user_ids)
    out = []
    for e in reversed(staff_timeline):
        if not include_internal and not e["public"]:
            continue
        actor = e["actor_kind"]
        if actor == "user":
            actor_id = e["actor_id"] or ""
            who = names.get(int(actor_id) if actor_id.isdigit() else -1, _("a member of staff"))
        else:
            who = {"device": _("the farmer"), "system": "Hedgerow", "partner": _("a partner system")}.get(actor, actor)
        data = e["data"]
        out.append(
            TimelineItem(
                id=e["id"],
                kind=e["kind"],
                at=e["at"],
                who=who,
                title=_title(e["kind"], data),
                detail=_detail(e["kind"], data),
                public=e["public"],
                duplicate_of=data.get("duplicate_of"),
            )
        )
    return out
