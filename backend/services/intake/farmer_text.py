"""The words a farmer reads for each event in their report's timeline: plain words, never a code or a name, in the
language their phone reads (the device's language; English by default).

One table of outcome words serves the farmer's timeline and the console (its close form and its timeline), so an
officer picks an outcome in the same words the farmer will read. Staff names stay out of the farmer's words (an
assignment says "an officer"); the officer's own words on a public event are shown as they were typed, because
the console tells them the farmer sees those.

Every word here is farmer-facing: each is written `pgettext("farmer", ...)` where it is used, so the catalogue
holds it in the "farmer" context that `make i18n-check` holds Welsh to in full (backend/i18n.py).
"""

from __future__ import annotations

from typing import Any

from backend.i18n import npgettext, pgettext, speaking
from backend.schemas import CLOSE_OUTCOMES


def outcome_words(outcome: str) -> str:
    """An outcome's words in the language being spoken; an unknown code as it is."""
    words = {
        "arrest": pgettext("farmer", "Arrest made"),
        "property_recovered": pgettext("farmer", "Property recovered"),
        "no_further_action": pgettext("farmer", "No further action"),
        "passed_to_council": pgettext("farmer", "Passed to the council"),
        "passed_to_environment_agency": pgettext("farmer", "Passed to the Environment Agency"),
        "duplicate": pgettext("farmer", "Duplicate of another report"),
        "mistake": pgettext("farmer", "Sent by mistake"),
        "other": pgettext("farmer", "Other"),
    }
    return words.get(outcome, outcome)


def _headline(kind: str) -> str:
    """Fixed words for the events that say the same thing every time."""
    return {
        "received": pgettext("farmer", "Received by Hedgerow"),
        "photo_received": pgettext("farmer", "Photo received"),
        "acknowledged": pgettext("farmer", "Seen by the rural crime team"),
        "assigned": pgettext("farmer", "An officer has been assigned"),
        "contacted": pgettext("farmer", "An officer contacted you"),
        "attended": pgettext("farmer", "An officer attended"),
        "reopened": pgettext("farmer", "Reopened"),
    }.get(kind) or pgettext("farmer", "The report was updated")


def _sentences(*parts: str | None) -> str:
    """The non-empty parts as one text, each but the last ending in a full stop so they read as sentences."""
    kept = [p.strip() for p in parts if p and p.strip()]
    return " ".join(p if p.endswith((".", "!", "?")) or i == len(kept) - 1 else f"{p}." for i, p in enumerate(kept))


def _farmer_update(data: dict[str, Any]) -> str:
    text = (data.get("text") or "").strip()
    photos = len(data.get("photos") or [])
    if not text:
        if photos:
            return npgettext("farmer", "You added %(count)d photo", "You added %(count)d photos", photos) % {
                "count": photos
            }
        return pgettext("farmer", "You added information")
    if photos:
        return npgettext(
            "farmer",
            "You added: %(text)s (with %(count)d photo)",
            "You added: %(text)s (with %(count)d photos)",
            photos,
        ) % {"text": text, "count": photos}
    return pgettext("farmer", "You added: %(text)s") % {"text": text}


def _decision(data: dict[str, Any]) -> str:
    reason = (data.get("reason") or "").strip()
    headline = {
        "investigate": pgettext("farmer", "The police will investigate"),
        "no_further_action": pgettext("farmer", "No further action"),
    }.get(data.get("decision") or "") or pgettext("farmer", "The police have made a decision")
    return (
        pgettext("farmer", "%(decision)s: %(reason)s") % {"decision": headline, "reason": reason}
        if reason
        else headline
    )


def _closed(data: dict[str, Any]) -> str:
    outcome = data.get("outcome") or ""
    # "Other" is a choice for the officer, not news for the farmer: the closing words say what happened.
    if outcome in CLOSE_OUTCOMES and outcome != "other":
        return pgettext("farmer", "Closed: %(outcome)s") % {"outcome": outcome_words(outcome)}
    return pgettext("farmer", "Closed")


def _text(kind: str, data: dict[str, Any]) -> str:
    words = str(data.get("text") or "").strip()
    if kind == "farmer_update":
        return _farmer_update(data)
    if kind == "chased":
        if words:
            return pgettext("farmer", "You chased this report: %(text)s") % {"text": words}
        return pgettext("farmer", "You chased this report")
    if kind == "update_sent":
        # The update is the officer writing to the farmer: their words are the whole message.
        return words or pgettext("farmer", "The police sent an update")
    if kind == "reference_added":
        reference = data.get("reference")
        if reference:
            headline = pgettext("farmer", "Crime reference: %(reference)s") % {"reference": reference}
        else:
            headline = pgettext("farmer", "Crime reference given")
    elif kind == "decision":
        headline = _decision(data)
    elif kind == "closed":
        headline = _closed(data)
    else:
        headline = _headline(kind)
    return _sentences(headline, words)


def farmer_text(kind: str, data: dict[str, Any], language: str | None = None) -> str:
    """What the farmer reads for one public event, in `language`: its meaning in words, then any words the
    officer gave (as they were typed)."""
    with speaking(language):
        return _text(kind, data)
