"""The words a farmer reads for each event in their report's timeline: plain English, never a code or a name.

One table of outcome words serves the farmer's timeline and the console (its close form and its timeline), so an
officer picks an outcome in the same words the farmer will read. Staff names stay out of the farmer's words (an
assignment says "an officer"); the officer's own words on a public event are shown as they were typed, because
the console tells them the farmer sees those.
"""

from __future__ import annotations

from typing import Any

OUTCOME_WORDS = {
    "arrest": "Arrest made",
    "property_recovered": "Property recovered",
    "no_further_action": "No further action",
    "passed_to_council": "Passed to the council",
    "passed_to_environment_agency": "Passed to the Environment Agency",
    "duplicate": "Duplicate of another report",
    "mistake": "Sent by mistake",
    "other": "Other",
}
# Fixed words for the events that say the same thing every time.
_HEADLINES = {
    "received": "Received by Hedgerow",
    "photo_received": "Photo received",
    "acknowledged": "Seen by the rural crime team",
    "assigned": "An officer has been assigned",
    "contacted": "An officer contacted you",
    "attended": "An officer attended",
    "reopened": "Reopened",
}


def _sentences(*parts: str | None) -> str:
    """The non-empty parts as one text, each but the last ending in a full stop so they read as sentences."""
    kept = [p.strip() for p in parts if p and p.strip()]
    return " ".join(p if p.endswith((".", "!", "?")) or i == len(kept) - 1 else f"{p}." for i, p in enumerate(kept))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _farmer_update(data: dict[str, Any]) -> str:
    text = (data.get("text") or "").strip()
    photos = len(data.get("photos") or [])
    if not text:
        return f"You added {_plural(photos, 'photo')}" if photos else "You added information"
    return f"You added: {text} (with {_plural(photos, 'photo')})" if photos else f"You added: {text}"


def _decision(data: dict[str, Any]) -> str:
    reason = (data.get("reason") or "").strip()
    headline = {
        "investigate": "The police will investigate",
        "no_further_action": "No further action",
    }.get(data.get("decision") or "", "The police have made a decision")
    return f"{headline}: {reason}" if reason else headline


def _closed(data: dict[str, Any]) -> str:
    outcome = data.get("outcome") or ""
    # "Other" is a choice for the officer, not news for the farmer: the closing words say what happened.
    words = OUTCOME_WORDS.get(outcome) if outcome != "other" else None
    return f"Closed: {words}" if words else "Closed"


def farmer_text(kind: str, data: dict[str, Any]) -> str:
    """What the farmer reads for one public event: its meaning in words, then any words the officer gave."""
    words = str(data.get("text") or "").strip()
    if kind == "farmer_update":
        return _farmer_update(data)
    if kind == "chased":
        return f"You chased this report: {words}" if words else "You chased this report"
    if kind == "update_sent":
        # The update is the officer writing to the farmer: their words are the whole message.
        return words or "The police sent an update"
    if kind == "reference_added":
        headline = f"Crime reference: {data.get('reference')}" if data.get("reference") else "Crime reference given"
    elif kind == "decision":
        headline = _decision(data)
    elif kind == "closed":
        headline = _closed(data)
    else:
        headline = _HEADLINES.get(kind, "The report was updated")
    return _sentences(headline, words)
