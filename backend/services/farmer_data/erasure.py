"""A farmer's request to erase their contact details (`POST /api/v1/me/erasure`).

The name, phone, email, farm name and postcode live in one place, the phone's `devices` row (nothing else copies
them: report_views.reporter reads them from there for staff, and the search index, events, notifications,
Open311 answers and summaries never held them). They are blanked there, with the bytes overwritten on disk
(`secure_delete`) and the WAL truncated, and an event on each of the phone's reports tells the officers why there
is nobody to call. The reports stay (police records, kept under the retention schedule), and so does the phone's
token: the police's answers still reach the app. Asking again changes nothing and gets the same answer.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from backend.i18n import pgettext, speaking
from backend.services.errors import NotFound
from backend.services.intake import events
from backend.services.retention import erase
from backend.writes import write
from core.i18n import local_date
from wire.farmer_data import ContactErasure


def _answer(erased_at: datetime, language: str | None) -> ContactErasure:
    """The answer in the farmer's language (the phone's, as registered). The same every time it is asked."""
    with speaking(language) as spoken:
        day = local_date(erased_at, spoken, "d MMMM y")
        removed = [
            pgettext("farmer", "your name"),
            pgettext("farmer", "your phone number"),
            pgettext("farmer", "your email address"),
            pgettext("farmer", "your farm's name"),
            pgettext("farmer", "your postcode"),
        ]
        kept = [
            pgettext(
                "farmer",
                "Your reports, with what you wrote, the places and the photos: they are police records of crimes, "
                "kept as the law requires (usually six years after a report is closed) and then deleted.",
            ),
            pgettext(
                "farmer",
                "This phone's registration, without your details: it is how the police's answers to your reports "
                "still reach this app.",
            ),
            pgettext("farmer", "Copies in the police's backups made before today, until those backups are replaced."),
        ]
        message = pgettext(
            "farmer",
            "Done. Your name, phone number, email address, farm name and postcode were erased from Hedgerow on "
            "{day}. The police can no longer see them, so they cannot call you back about your reports. Your "
            "reports stay: they are police records of crimes, kept as the law requires (usually six years after a "
            "report is closed). The police's answers to your reports still come to this app. Backups made before "
            "today may hold your details until they are replaced.",
        ).format(day=day)
    return ContactErasure(erased_at=erased_at, removed=removed, kept=kept, message=message)


def erase_contact_details(db: sqlite_utils.Database, device_id: str, now: datetime) -> ContactErasure:
    """Erase the phone's contact details (once) and note it on each of its reports; the answer in plain words,
    the same every time it is asked."""
    with erase.secure_deletes(db):
        with write(db):
            if erase.erase_contact(db, device_id, now):
                for row in db.execute("SELECT * FROM reports WHERE device_id = ?", [device_id]).fetchall():
                    # No data: the event says what happened, and nothing of what was erased.
                    events.record_event(db, dict(row), "contact_erased", now, "device", device_id)
            found = db.execute("SELECT contact_erased_at, language FROM devices WHERE id = ?", [device_id]).fetchone()
        if found is None or found[0] is None:
            raise NotFound("no such device")
        erase.truncate_wal(db)  # the old page, with the details in it, leaves the WAL too
    return _answer(datetime.fromisoformat(found[0]), found[1])
