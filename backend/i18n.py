"""The server's words in its reader's language: the console's in the staff user's, a farmer's in their phone's.

Every text the server shows or writes is English source text marked for the catalogue (domain "backend",
core/i18n.py) and translated when it is shown: `_()` (and `ngettext`, `pgettext`) look up the language being
spoken at that moment, which a console request sets for its whole handling (backend/console/language.py) and a
farmer's text sets with `speaking(device_language)` around what it writes. Outside both it is English.

Farmer-facing words carry the message context "farmer" (`pgettext("farmer", ...)`, and `{% trans "farmer" %}` in
the templates): `make i18n-check` holds Welsh to 100% of those (core/i18n_check.py). Staff-facing words have no
context. Labels defined in wire/ (categories, their fields) belong to the app's catalogue, which translates them
once for both sides: `wire_label` reads it.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from core.i18n import (
    APP_LOCALE,
    BACKEND_LOCALE,
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    CatalogueMissing,
    Language,
    language_or_default,
    translations,
)

DOMAIN = "backend"
FARMER = "farmer"  # the message context of every word a farmer reads
# The forces bound by the Welsh Language Standards (their Welsh names are in the catalogue, in the farmer context).
WELSH_FORCES = ("Dyfed-Powys Police", "Gwent Police", "North Wales Police", "South Wales Police")

_speaking: ContextVar[Language] = ContextVar("speaking", default=DEFAULT_LANGUAGE)


def speaking_now() -> Language:
    return _speaking.get()


def set_speaking(language: Language) -> None:
    """For the rest of this request's handling (a console request's dependency sets it once)."""
    _speaking.set(language)


@contextmanager
def speaking(language: str | None) -> Iterator[Language]:
    """Everything translated inside the block is in `language` (English for anything unknown)."""
    chosen = language_or_default(language)
    token = _speaking.set(chosen)
    try:
        yield chosen
    finally:
        _speaking.reset(token)


def catalogue(language: Language | None = None) -> gettext.NullTranslations:
    return translations(BACKEND_LOCALE, DOMAIN, language or _speaking.get())


def N_(message: str) -> str:
    """Marks a constant for the catalogue where it is defined; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    # gettext("") is the catalogue's header, never a word: an empty text stays empty.
    return catalogue().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalogue().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue().npgettext(context, singular, plural, n)


def force_name(force: str) -> str:
    """A force's name as it is written in the language being spoken: the Welsh forces have their own Welsh names
    (each force's own, as on its signs and website); every other force keeps its English name."""
    return {
        "Dyfed-Powys Police": pgettext("farmer", "Dyfed-Powys Police"),
        "Gwent Police": pgettext("farmer", "Gwent Police"),
        "North Wales Police": pgettext("farmer", "North Wales Police"),
        "South Wales Police": pgettext("farmer", "South Wales Police"),
    }.get(force, force)


def wire_label(text: str) -> str:
    """A label defined in wire/ (a category, a field, a choice) in the language being spoken, from the app's
    catalogue, the one place they are translated. Until the app has a catalogue for the language, English."""
    language = _speaking.get()
    if language == DEFAULT_LANGUAGE or not text:
        return text
    return _app_catalogue(language).gettext(text)


@lru_cache(maxsize=4)
def _app_catalogue(language: Language) -> gettext.NullTranslations:
    try:
        return translations(APP_LOCALE, "app", language)
    except CatalogueMissing:
        return gettext.NullTranslations()


def language_name(language: str | None) -> str:
    """'Cymraeg', 'English': each language in its own words."""
    return LANGUAGE_NAMES[language_or_default(language)]
