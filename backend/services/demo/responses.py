"""How the demo forces answer reports, from prompt to never, and how farmers chase the neglected ones.

The styles below are invented for the demo: they give the NFU summaries and the console differences to show
(one force answers within hours, another leaves a quarter of reports unanswered, one improves its 101 line
over the year). They are not figures for the real forces whose names the demo areas borrow.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.schemas import EventCreate
from backend.services.intake.events import ActorKind


@dataclass(frozen=True)
class ForceStyle:
    never: float  # share of reports never acknowledged
    ack_hours: float  # median time to acknowledge a routine report
    urgent_minutes: float  # median time to acknowledge a live, urgent one
    reference: float  # share of acknowledged reports given a crime reference
    attend: float  # share of live urgent reports attended
    decision_on_time: float  # share of decisions within the Victims' Code's 5 working days
    updates: float  # chance each month that an open investigation gets its update
    wait_101: tuple[float, float]  # median 101 wait in seconds, at the start and at the end of the year
    abandon_101: tuple[float, float]  # share of 101 calls abandoned, start and end of the year
    code: str  # the force's number, as it appears in its crime references


STYLES: dict[str, ForceStyle] = {
    "Kent Police": ForceStyle(0.08, 9, 25, 0.8, 0.6, 0.75, 0.7, (900, 40), (0.5, 0.04), "46"),
    "Police Scotland": ForceStyle(0.04, 4, 15, 0.9, 0.75, 0.9, 0.85, (150, 120), (0.06, 0.05), "PS"),
    "Hampshire and Isle of Wight Constabulary": ForceStyle(
        0.06, 7, 20, 0.85, 0.65, 0.85, 0.75, (240, 200), (0.1, 0.08), "44"
    ),
    "Thames Valley Police": ForceStyle(0.14, 20, 45, 0.7, 0.5, 0.6, 0.5, (580, 520), (0.27, 0.24), "43"),
    "Wiltshire Police": ForceStyle(0.12, 16, 40, 0.75, 0.5, 0.65, 0.55, (420, 380), (0.18, 0.15), "42"),
    "Sussex Police": ForceStyle(0.25, 40, 90, 0.55, 0.35, 0.4, 0.3, (700, 650), (0.35, 0.3), "47"),
    "Dyfed-Powys Police": ForceStyle(0.3, 60, 120, 0.5, 0.3, 0.35, 0.25, (820, 760), (0.4, 0.38), "63"),
}
DEFAULT_STYLE = ForceStyle(0.15, 24, 60, 0.7, 0.45, 0.6, 0.5, (480, 420), (0.2, 0.18), "99")


@dataclass(frozen=True)
class Officers:
    """The demo staff of one force who act on its reports."""

    officer_id: int
    officer_name: str
    supervisor_id: int
    supervisor_name: str


@dataclass(frozen=True)
class Action:
    """One later event on a report: a staff action (`EventCreate` data) or the farmer's chase or update."""

    at: datetime
    kind: str
    actor_kind: ActorKind  # "user" or "device"
    actor_id: str
    data: dict[str, Any]
    idem_key: str | None = None


def style_for(force: str | None) -> ForceStyle:
    return STYLES.get(force or "", DEFAULT_STYLE)


def progress_through_year(at: datetime, start: datetime, end: datetime) -> float:
    return min(1.0, max(0.0, (at - start) / (end - start)))


def reference_number(rng: random.Random, style: ForceStyle, at: datetime) -> str:
    if style.code == "PS":
        return f"PS-{at:%Y%m%d}-{rng.randint(1, 3999):04d}"
    return f"{style.code}/{rng.randint(10000, 99999)}/{at:%y}"


def _lognormal(rng: random.Random, median: float, sigma: float = 1.0) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def _staff(kind: str, at: datetime, actor: int, **fields: Any) -> Action:
    """A staff action, its data shaped and checked exactly as the staff API checks it."""
    body = EventCreate.model_validate({"kind": kind, **fields})
    return Action(at, kind, "user", str(actor), body.data())


_OUTCOME_TEXT = {
    "arrest": "A suspect has been arrested and charged. Thank you for your help.",
    "property_recovered": "Your property has been recovered; we will be in touch to return it.",
    "no_further_action": "We have closed this for now. If anything new comes to light, tell us and we will reopen it.",
    "passed_to_council": "Passed to the council's enforcement team, who will arrange the clearance.",
    "passed_to_environment_agency": "Passed to the Environment Agency because of the hazardous waste.",
}
_UPDATES = (
    "Enquiries continue: we have checked ANPR for the vehicle you described.",
    "We have spoken to a neighbouring farm who saw the same vehicle; enquiries continue.",
    "Still open: forensic results from the scene are awaited.",
    "The vehicle is linked to other reports in the area; we are working with the neighbouring force.",
)
_NOTES = (
    "Checked PNC on the registration: false plates, belongs to a different vehicle.",
    "Linked to similar reports on the neighbouring farms this week.",
    "Farmer is a repeat victim; crime prevention visit offered.",
    "Intelligence submitted; vehicle of interest to the rural crime team.",
    "CCTV on the farm did not cover the gateway.",
)
_CHASES = (
    "Has anyone looked at this? Nobody has been in touch.",
    "Still waiting to hear anything. They were back again last night.",
    "Chasing this up please, I rang 101 and they had no record.",
)
_FARMER_UPDATES = (
    "Same vehicle seen again this morning on the lane.",
    "Found more damage down by the far gate.",
    "Neighbour says they had the same thing the night before.",
    "Worked out the value now, it is more than I said.",
)


# A working force reviews what is left open: most reports still open this long after arriving are closed by a
# supervisor's review, leaving a realistic open tail (recent reports, and a few old ones for the backlog view).
REVIEW_AFTER_DAYS = (60.0, 150.0)
REVIEWED_SHARE = 0.93
_REVIEW_TEXT = "Reviewed by the rural crime team: there are no further lines of enquiry, so we have closed it."


def responses(rng: random.Random, **report: Any) -> list[Action]:
    """Everything that happens to a report after it is received, in time order (the caller drops the future)."""
    actions = _responses(rng, **report)
    officers: Officers | None = report["officers"]
    if officers is None or any(a.kind in ("closed", "reopened") for a in actions):
        return actions
    # Its own generator, seeded by the report: the demo's main sequence (and so every other report) is unchanged.
    review = random.Random(f"{report['device_id']}:{report['received'].isoformat()}")
    if review.random() >= REVIEWED_SHARE:
        return actions  # left open: the backlog a supervisor has yet to review
    last = max((a.at for a in actions), default=report["received"])
    at = max(last, report["received"]) + timedelta(days=review.uniform(*REVIEW_AFTER_DAYS))
    closing = _staff("closed", at, officers.supervisor_id, outcome="no_further_action", text=_REVIEW_TEXT)
    return sorted([*actions, closing], key=lambda a: a.at)


def _responses(
    rng: random.Random,
    *,
    category: str,
    urgent: bool,
    live: bool,
    received: datetime,
    device_id: str,
    force: str | None,
    officers: Officers | None,
    call_reference: str | None,
    linked_vehicle: bool,
    year: tuple[datetime, datetime],
    new_id: Any,
) -> list[Action]:
    style = style_for(force)
    actions: list[Action] = []
    ack_at: datetime | None = None
    if officers is not None and rng.random() >= style.never * (0.5 if urgent else 1.0):
        if urgent and live:
            ack_at = received + timedelta(minutes=_lognormal(rng, style.urgent_minutes, 0.8))
        else:
            ack_at = received + timedelta(hours=_lognormal(rng, style.ack_hours, 1.1))
    chase_after = received + timedelta(days=rng.uniform(1.5, 5))
    if (ack_at is None or ack_at > chase_after) and rng.random() < 0.55:
        actions.append(Action(chase_after, "chased", "device", device_id, {"text": rng.choice(_CHASES)}, new_id()))
        if rng.random() < 0.35:
            again = chase_after + timedelta(days=rng.uniform(5, 12))
            if ack_at is None or ack_at > again:
                actions.append(Action(again, "chased", "device", device_id, {"text": rng.choice(_CHASES)}, new_id()))
    if rng.random() < 0.08:
        at = received + timedelta(hours=rng.uniform(2, 240))
        actions.append(
            Action(at, "farmer_update", "device", device_id, {"text": rng.choice(_FARMER_UPDATES)}, new_id())
        )
    if ack_at is None or officers is None:
        return sorted(actions, key=lambda a: a.at)
    officer, name = officers.officer_id, officers.officer_name
    text = f"Thank you for your report. {name} of the rural crime team is dealing with it."
    actions.append(_staff("acknowledged", ack_at, officer, text=text))
    t = ack_at
    if rng.random() < 0.6:
        t += timedelta(minutes=rng.uniform(1, 90))
        actions.append(_staff("assigned", t, officer, user_id=officer))
        actions[-1].data["officer"] = name
    if rng.random() < 0.08 + style.never:
        return sorted(actions, key=lambda a: a.at)  # acknowledged, then nothing more: the farmer hears no more
    if urgent and live and rng.random() < style.attend:
        t = max(t, received + timedelta(minutes=_lognormal(rng, 50, 0.5)))
        actions.append(_staff("attended", t, officer, text=f"{name} attended."))
    elif category.startswith("theft") and rng.random() < style.attend * 0.5:
        t += timedelta(hours=_lognormal(rng, 20, 0.8))
        actions.append(_staff("attended", t, officer, text=f"{name} visited the farm."))
    if call_reference or rng.random() < style.reference:
        t += timedelta(hours=_lognormal(rng, 4 if call_reference else 10, 1.0))
        reference = call_reference or reference_number(rng, style, t)
        actions.append(_staff("reference_added", t, officer, reference=reference))
    if rng.random() < 0.55:
        t += timedelta(hours=rng.uniform(0.5, 30))
        actions.append(_staff("contacted", t, officer, text=f"{name} rang you to go through what happened."))
    if rng.random() < (0.3 if linked_vehicle else 0.15) * 2:
        note = _NOTES[1] if linked_vehicle else rng.choice(_NOTES)
        actions.append(_staff("note", t + timedelta(minutes=rng.uniform(5, 600)), officers.supervisor_id, text=note))
    if rng.random() < 0.12 * (1 - style.decision_on_time):
        return sorted(actions, key=lambda a: a.at)  # no decision ever: a Victims' Code breach that stays open
    on_time = rng.random() < style.decision_on_time
    decided = received + timedelta(days=rng.uniform(0.2, 6) if on_time else rng.uniform(8, 40))
    t = max(t + timedelta(minutes=10), decided)
    investigate = rng.random() < (0.25 if category == "fly_tipping" else 0.5 if linked_vehicle else 0.35)
    if investigate:
        actions.append(_staff("decision", t, officers.supervisor_id, decision="investigate"))
    else:
        reason = rng.choice(
            ("No lines of enquiry: no witnesses, CCTV or forensic opportunities.", "No suspect identified.")
        )
        if category == "fly_tipping":
            reason = "Fly-tipping on private land: passed to the council to investigate."
        actions.append(_staff("decision", t, officers.supervisor_id, decision="no_further_action", reason=reason))
        outcome = "passed_to_council" if category == "fly_tipping" else "no_further_action"
        t += timedelta(hours=rng.uniform(1, 72))
        actions.append(_staff("closed", t, officer, outcome=outcome, text=_OUTCOME_TEXT[outcome]))
        return _maybe_reopen(rng, actions, t, officer, device_id, new_id)
    close_at = t + timedelta(days=_lognormal(rng, 45, 0.8))
    month = t
    while True:  # the Victims' Code's monthly update, kept or not
        month += timedelta(days=rng.uniform(24, 34))
        if month >= close_at or month > year[1]:
            break
        if rng.random() < style.updates:
            actions.append(_staff("update_sent", month, officer, text=rng.choice(_UPDATES)))
    if rng.random() < 0.15:
        return sorted(actions, key=lambda a: a.at)  # still under investigation
    outcome = rng.choices(("arrest", "property_recovered", "no_further_action"), (2, 3, 5))[0]
    actions.append(_staff("closed", close_at, officer, outcome=outcome, text=_OUTCOME_TEXT[outcome]))
    return _maybe_reopen(rng, actions, close_at, officer, device_id, new_id)


def _maybe_reopen(
    rng: random.Random, actions: list[Action], closed_at: datetime, officer: int, device_id: str, new_id: Any
) -> list[Action]:
    if rng.random() < 0.03:
        at = closed_at + timedelta(days=rng.uniform(1, 20))
        text = "The same people were back; I have their registration this time."
        actions.append(Action(at, "farmer_update", "device", device_id, {"text": text}, new_id()))
        actions.append(_staff("reopened", at + timedelta(hours=rng.uniform(2, 48)), officer, text="Reopened."))
    return sorted(actions, key=lambda a: a.at)
