"""A saved report's progress, in the plain words the farmer sees on the home screen."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.store.reports import ReportSummary

# When silence becomes worth pointing out: the rural team's default targets (domain: 2 hours for urgent
# categories, one working day otherwise; a calendar day is near enough for a reminder).
ANSWER_DUE_URGENT = timedelta(hours=2)
ANSWER_DUE = timedelta(days=1)


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def describe_state(report: ReportSummary, now: datetime, urgent: bool) -> str:
    if report.server_status == "closed":
        return f"Closed (reference {report.police_reference})" if report.police_reference else "Closed"
    if report.police_reference:
        return f"Reference {report.police_reference}"
    if report.server_status in ("acknowledged", "in_progress", "closed"):
        return "Seen by police"
    if report.sent_at:
        waited = now - datetime.fromisoformat(report.sent_at)
        if waited >= (ANSWER_DUE_URGENT if urgent else ANSWER_DUE):
            return f"No answer yet after {_ago(waited)}"
        if report.photos_sent < report.photos_total:
            return f"Sent, photos {report.photos_sent} of {report.photos_total}"
        return "Sent"
    if report.outbox_state == "sending" or report.attempts > 0:
        return "Sending"
    return "Saved on this phone"
