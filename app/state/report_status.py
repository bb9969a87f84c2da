"""A saved report's progress, in the plain words the farmer sees on the home screen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from app.i18n import _, ngettext
from app.store.reports import ReportSummary
from core.targets import BadTarget, Unit, parse_target
from wire.clocks import NO_TARGET

# The last fallback, when the phone has neither the server's due time for a report nor the published policy: the
# rural team's default targets (domain: 2 hours for urgent categories, one working day otherwise).
ANSWER_DUE_URGENT = timedelta(hours=2)
ANSWER_DUE = timedelta(days=1)
# The phone's estimate counts a working day as a calendar day: it has no bank-holiday calendar, and a reminder a
# weekend early is near enough. The server's own due time, once pulled, counts working days exactly.
_APPROXIMATE: dict[Unit, timedelta] = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "working_days": timedelta(days=1),
}


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    return ngettext("{count} day", "{count} days", hours // 24).format(count=hours // 24)


def _wait(target: str) -> timedelta | None:
    """A published target as an approximate wait; None when the clock does not run. Raises BadTarget."""
    if target.strip().lower() == NO_TARGET:
        return None
    amount, unit = parse_target(target)
    return amount * _APPROXIMATE[unit]


def answer_due(report: ReportSummary, urgent: bool, targets: Mapping[str, str]) -> datetime | None:
    """When the police's first answer is due: the server's time when it has said; else the time the report was
    sent (or saved) plus its category's target in the published policy kept on the phone (`targets`); else plus
    the built-in default. None when the policy times no first answer for the category."""
    if report.answer_due_at:
        return datetime.fromisoformat(report.answer_due_at)
    start = datetime.fromisoformat(report.sent_at or report.saved_at)
    published = targets.get(report.category)
    if published is not None:
        try:
            wait = _wait(published)
        except BadTarget:
            pass  # a target this phone cannot read (from a newer server): the default below
        else:
            return None if wait is None else start + wait
    return start + (ANSWER_DUE_URGENT if urgent else ANSWER_DUE)


def is_overdue(report: ReportSummary, now: datetime, urgent: bool, targets: Mapping[str, str]) -> bool:
    """Sent, not yet answered by the police, and past the time their first answer was due: offer "Chase"."""
    if report.server_status == "closed" or report.police_reference or not report.sent_at:
        return False
    if report.server_status in ("acknowledged", "in_progress"):
        return False
    due = answer_due(report, urgent, targets)
    return due is not None and now >= due


def describe_state(report: ReportSummary, now: datetime, urgent: bool, targets: Mapping[str, str]) -> str:
    if report.server_status == "closed":
        if report.police_reference:
            return _("Closed (reference {reference})").format(reference=report.police_reference)
        return _("Closed")
    if report.police_reference:
        return _("Reference {reference}").format(reference=report.police_reference)
    if report.server_status in ("acknowledged", "in_progress", "closed"):
        return _("Seen by police")
    if report.sent_at:
        waited = now - datetime.fromisoformat(report.sent_at)
        if is_overdue(report, now, urgent, targets):
            return _("No answer yet after {time}").format(time=_ago(waited))
        if report.photos_sent < report.photos_total:
            return _("Sent, photos {sent} of {total}").format(sent=report.photos_sent, total=report.photos_total)
        return _("Sent")
    if report.outbox_state == "sending" or report.attempts > 0:
        return _("Sending")
    return _("Saved on this phone")


def says_seen(report: ReportSummary) -> bool:
    """Whether `describe_state` already says "Seen by police" (the home screen does not say it twice)."""
    return report.server_status in ("acknowledged", "in_progress") and not report.police_reference
