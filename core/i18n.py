"""Languages: the one place that knows which exist, where their catalogues are, and how to choose one (issue 18).

Source strings are English; a catalogue per language and per side translates them with gettext:
`app/locale/<lang>/LC_MESSAGES/app.mo` (the farmer app and the wire models' labels, in the phone bundle) and
`backend/locale/<lang>/LC_MESSAGES/backend.mo` (the console and every text the server writes). The `.po` files are
the source, edited by people; the `.mo` files are compiled by `make setup` (`make i18n-compile`), never committed.
"""

from __future__ import annotations

import gettext
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime

from core.uktime import LONDON

Language = Literal["en", "cy"]
LANGUAGES: tuple[Language, ...] = ("en", "cy")
DEFAULT_LANGUAGE: Language = "en"
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "cy": "Cymraeg"}  # each in its own language

ROOT = Path(__file__).resolve().parent.parent
APP_LOCALE = ROOT / "app" / "locale"
BACKEND_LOCALE = ROOT / "backend" / "locale"


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue is not there: `make setup` compiles them (`make i18n-compile`)."""


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined (a constant, a model's label); it is translated
    where it is shown, with the catalogue of the side that shows it."""
    return message


def language_or_default(value: str | None) -> Language:
    """A stored or requested language, or English for anything unknown."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


@lru_cache(maxsize=16)
def translations(locale_dir: Path, domain: str, language: Language) -> gettext.NullTranslations:
    """The catalogue for one side and language. English is the source text itself; any other language must have
    its compiled catalogue, so a missing one is an error at once rather than a screen silently in English."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    try:
        return gettext.translation(domain, localedir=str(locale_dir), languages=[language])
    except FileNotFoundError as exc:
        raise CatalogueMissing(
            f"no compiled {language} catalogue for {domain} under {locale_dir}: run `make i18n-compile`"
        ) from exc


def from_accept_language(header: str | None) -> Language:
    """The best of our languages for a browser's Accept-Language header (q-values honoured), else English."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > best[0]:
            best = (quality, base)  # type: ignore[assignment]
    return best[1]


def local_datetime(moment: datetime, language: Language, format: str = "medium") -> str:
    """A moment as people in that language write it, on the clocks of Great Britain (Europe/London)."""
    return format_datetime(moment, format=format, tzinfo=LONDON, locale=_locale(language))


def local_date(moment: datetime, language: Language, format: str = "long") -> str:
    return format_date(moment.astimezone(LONDON).date(), format=format, locale=_locale(language))


@lru_cache(maxsize=4)
def _locale(language: Language) -> Locale:
    return Locale.parse("en_GB" if language == "en" else language)
