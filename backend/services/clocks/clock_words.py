"""The response clocks and their targets in words of the language being spoken, for the console and the summaries.

The clocks' labels are written in backend/data/response-policy.toml (English); the shipped ones are listed here
for the catalogue, and a label someone changes in the file is shown as written. A target ('2 working days') is
said in words built from its number and unit, so it reads in Welsh too.
"""

from __future__ import annotations

from backend.i18n import N_, _, ngettext
from backend.services.clocks.policy import NONE
from core.targets import BadTarget, parse_target

# The labels of backend/data/response-policy.toml as shipped.
SHIPPED_LABELS = (
    N_("Answered by the rural crime team"),
    N_("Police reference number given"),
    N_("Decision to investigate or not"),
    N_("Update to the farmer while the report is open"),
    N_("Attendance"),
)


def clock_label(label: str) -> str:
    return _(label) if label in SHIPPED_LABELS else label


def target_words(text: str | None) -> str:
    """'2 working days', '1 hour', 'none' as a target reads in the language being spoken; '' for no target."""
    if not text:
        return ""
    if text == NONE:
        return _("none")
    try:
        amount, unit = parse_target(text)
    except BadTarget:
        return text
    forms = {
        "minutes": ngettext("%(n)d minute", "%(n)d minutes", amount),
        "hours": ngettext("%(n)d hour", "%(n)d hours", amount),
        "days": ngettext("%(n)d day", "%(n)d days", amount),
        "working_days": ngettext("%(n)d working day", "%(n)d working days", amount),
    }
    return forms[unit] % {"n": amount}
