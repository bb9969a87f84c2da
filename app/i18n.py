"""The farmer app's words in the farmer's language (issue 18): `_()` for every string a farmer sees.

One process is one phone, so the phone's language is one value for the process: the app state sets it from the
settings table when it opens and when the farmer chooses another (app/state/app_state.py), and every screen is
drawn again at once. Strings are marked where they are written: `_("...")` translates at once, `N_("...")` marks
a constant (a dictionary of labels, a category in wire/) that is translated with `_()` where it is shown.
Placeholders are named (`_("{count} of {total}").format(...)`) so that a translation can put them in its own order.
"""

from __future__ import annotations

from datetime import datetime

from core.i18n import APP_LOCALE, DEFAULT_LANGUAGE, N_, Language, language_or_default, local_datetime, translations

__all__ = ["N_", "_", "current_language", "ngettext", "set_language", "shown_time"]

DOMAIN = "app"
# Day, short month, year and time, as the app has always shown them ("20 Nov 2026, 06:30"; "20 Tach 2026, 06:30").
TIME_PATTERN = "dd MMM y, HH:mm"
# Shown before any language is chosen, in both languages: the one string that is never translated.
LANGUAGE_PROMPT = "Dewiswch iaith · Choose your language"

_language: list[Language] = [DEFAULT_LANGUAGE]


def set_language(language: str | None) -> Language:
    """Make `language` the phone's language (anything unknown is English); returns the one in use."""
    chosen = language_or_default(language)
    translations(APP_LOCALE, DOMAIN, chosen)  # a missing catalogue is an error now, not on the next screen
    _language[0] = chosen
    return chosen


def current_language() -> Language:
    return _language[0]


def _(message: str) -> str:
    if not message:
        return message  # gettext("") is the catalogue's header, never a farmer's word
    return translations(APP_LOCALE, DOMAIN, _language[0]).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` (Welsh has six); the caller formats `{count}` into it."""
    return translations(APP_LOCALE, DOMAIN, _language[0]).ngettext(singular, plural, count)


def shown_time(moment: datetime | str) -> str:
    """A moment as the farmer reads it: in their language, on the clocks of Great Britain."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return local_datetime(when, _language[0], TIME_PATTERN)
