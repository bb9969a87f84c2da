"""The words of an alert's text message and email, and of the word that it was withdrawn, in the farmer's language.

Everything Hedgerow adds is farmer-facing (`pgettext("farmer", ...)`, held to 100% Welsh by `make i18n-check`); the
police's own words (the title, the text) go as they wrote them. A text message fits in four SMS parts as the
network counts them (sms_fit): the police's words are cut, never what to do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.i18n import force_name, pgettext, speaking
from backend.services.alerts import sms_fit
from core.gridref import grid_reference
from core.i18n import local_datetime

Message = tuple[str, str]  # (email subject, text); a text message has no subject


def _until(alert: dict[str, Any], language: str) -> str:
    """When the alert ends, short, on UK clocks, as the language writes a day and a time ("Fri 20 Nov, 18:30")."""
    return local_datetime(datetime.fromisoformat(alert["expires_at"]), language, "EEE d MMM, HH:mm")


def _heading(alert: dict[str, Any], title: str) -> str:
    return pgettext("farmer", "Police alert from {force}: {title}").format(
        force=force_name(alert["force"]), title=title
    )


def _where(alert: dict[str, Any]) -> str:
    """The alert's area in words: "within 5 km of grid reference TR 025 541"."""
    distance = f"{alert['radius_km']:g}"
    grid = grid_reference(alert["lat"], alert["lon"], 6)
    if grid:
        return pgettext("farmer", "within {distance} km of grid reference {grid}").format(distance=distance, grid=grid)
    return pgettext("farmer", "within {distance} km of {lat}, {lon}").format(
        distance=distance, lat=f"{alert['lat']:.3f}", lon=f"{alert['lon']:.3f}"
    )


def _why_email() -> str:
    return pgettext(
        "farmer",
        "You get these emails because you chose alerts by email in the Hedgerow app's alert settings; turn "
        "them off there.",
    )


def _no_longer() -> str:
    return pgettext(
        "farmer",
        "You no longer need to look out for this. If a crime is happening now or anyone is in danger, call 999.",
    )


def sms_text(alert: dict[str, Any], language: str = "en") -> str:
    """The alert as one text message, in `language`: the police's own words are cut to fit; only if not a word of
    them fits beside the title is the title cut instead."""
    with speaking(language) as spoken:
        vehicle = alert["vehicle_registration"]
        tail = [
            pgettext("farmer", "Vehicle: {registration}").format(registration=vehicle) if vehicle else "",
            pgettext(
                "farmer", 'Until {time}. Seen it? Tap "I\'ve seen this" in the Hedgerow app. In danger? Call 999.'
            ).format(time=_until(alert, spoken)),
        ]

        def compose(title: str, words: str) -> str:
            return "\n".join(part for part in (_heading(alert, title), words, *tail) if part)

        words = sms_fit.cut_to_fit(lambda w: compose(alert["title"], w), alert["text"])
        if words is not None:
            return compose(alert["title"], words)
        return compose(sms_fit.cut_to_fit(lambda t: compose(t, ""), alert["title"]) or "", "")


def email_text(alert: dict[str, Any], language: str = "en") -> Message:
    """The subject and body of the alert's email in `language`: the alert, its area in words, and how to answer
    it."""
    with speaking(language) as spoken:
        lines = [
            pgettext("farmer", "{force} has issued an alert for farms {where}.").format(
                force=force_name(alert["force"]), where=_where(alert)
            ),
            "",
            alert["title"],
            "",
            alert["text"],
            "",
        ]
        if alert["vehicle_registration"]:
            lines += [pgettext("farmer", "Vehicle: {registration}").format(registration=alert["vehicle_registration"])]
            lines += [""]
        lines += [
            pgettext("farmer", "The alert is in force until {time} (UK time).").format(time=_until(alert, spoken)),
            pgettext(
                "farmer",
                'If you see this, open the Hedgerow app, find the alert and tap "I\'ve seen this": your report '
                "reaches the police linked to it. If a crime is happening now or anyone is in danger, call 999.",
            ),
            "",
            _why_email(),
        ]
        return _heading(alert, alert["title"]), "\n".join(lines)


def withdrawn_sms_text(alert: dict[str, Any], language: str = "en") -> str:
    """Word to a farmer who was sent the alert that the police have withdrawn it (the title cut if need be)."""
    with speaking(language):

        def compose(title: str) -> str:
            withdrawn = pgettext("farmer", "{force} has withdrawn its alert: {title}")
            return withdrawn.format(force=force_name(alert["force"]), title=title) + "\n" + _no_longer()

        return compose(sms_fit.cut_to_fit(compose, alert["title"]) or "")


def withdrawn_email_text(alert: dict[str, Any], language: str = "en") -> Message:
    with speaking(language):
        subject = pgettext("farmer", "Alert withdrawn: {title}").format(title=alert["title"])
        lines = [
            pgettext("farmer", "{force} has withdrawn the alert it sent you about farms {where}:").format(
                force=force_name(alert["force"]), where=_where(alert)
            ),
            "",
            alert["title"],
            "",
            _no_longer(),
            "",
            _why_email(),
        ]
        return subject, "\n".join(lines)


def message_for(row: dict[str, Any]) -> Message:
    """What a queued row sends: its kind ('alert' or 'withdrawn') on its channel, in its language (an SMS has an
    empty subject)."""
    language = row["delivery_language"]
    if row["channel"] == "sms":
        text = sms_text(row, language) if row["kind"] == "alert" else withdrawn_sms_text(row, language)
        return "", text
    return email_text(row, language) if row["kind"] == "alert" else withdrawn_email_text(row, language)
