"""The kinds of event in a report's log, and who may see or record each: one list for the backend and the app."""

from __future__ import annotations

from typing import Literal, get_args

# What staff may record through the API; the rest are written by intake, the farmer or the sweep.
StaffEventKind = Literal[
    "acknowledged",
    "assigned",
    "reference_added",
    "contacted",
    "attended",
    "decision",
    "update_sent",
    "note",
    "closed",
    "reopened",
    "hold_placed",
    "hold_removed",
]
EventKind = Literal[
    "received",
    "photo_received",
    "farmer_update",
    "chased",
    "flag_raised",
    "flag_cleared",
    "contact_erased",
    StaffEventKind,
]

EVENT_KINDS: tuple[str, ...] = get_args(EventKind)  # a nested Literal is flattened: all nineteen
STAFF_KINDS = frozenset(get_args(StaffEventKind))
# Which events the farmer sees. Notes, flags and legal holds ("keep: evidence") are the police's own working; the
# farmer's request to erase their contact details is noted for the police, and told to the farmer in its answer.
HOLD_KINDS = frozenset({"hold_placed", "hold_removed"})
PUBLIC_KINDS = frozenset(EVENT_KINDS) - {"note", "flag_raised", "flag_cleared", "contact_erased"} - HOLD_KINDS
# The police's answers to the farmer: what earns an unread marker on the phone. The farmer's own doings
# (received, photo_received, farmer_update, chased) are in the timeline too, but are not news to the farmer.
POLICE_KINDS = PUBLIC_KINDS & STAFF_KINDS
