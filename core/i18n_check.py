"""`make i18n-check`: how much of each side's catalogue each language has, and whether Welsh covers everything a
farmer reads (issue 18). Exits 1 when it does not.

For each side (the farmer app, domain "app"; the server, domain "backend") and each language but English (the
source), against the side's template (`<side>/locale/<domain>.pot`, written by `make i18n-extract`):

- total: the messages of the template; translated: those with a translation in every plural form (fuzzy ones
  included: they are compiled, so readers see them); fuzzy: translated but not yet checked by a speaker;
  untranslated: the rest; kept in English: translated with the English text itself.
- farmer-facing: every message of the app, and the server's messages in the context "farmer" (written
  `pgettext("farmer", ...)` or `{% trans "farmer" %}`: backend/i18n.py). A farmer-facing message counts as covered
  when it has a translation other than the English, or one a translator marked with the comment "Same in Welsh."
  (a number, a name), or one that holds nothing but placeholders ("{label}: {value}"). Welsh must cover 100% of
  them.

A side whose template does not exist yet is reported and skipped; a language whose .po does not exist has
nothing translated.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from core.i18n import APP_LOCALE, BACKEND_LOCALE, DEFAULT_LANGUAGE, LANGUAGES

FARMER_CONTEXT = "farmer"
SAME = "Same in Welsh."  # a translator's note: the English text is the right text in this language too
REQUIRED = {"cy": 100.0}  # farmer-facing coverage each language must reach, in percent
SIDES = {"app": (APP_LOCALE, "app"), "backend": (BACKEND_LOCALE, "backend")}


@dataclass
class Coverage:
    side: str
    language: str
    has_template: bool = True
    has_catalogue: bool = True
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    kept_in_english: int = 0
    farmer_total: int = 0
    farmer_covered: int = 0
    farmer_missing: list[str] = field(default_factory=list)

    @property
    def untranslated(self) -> int:
        return self.total - self.translated

    @property
    def farmer_percent(self) -> float:
        return 100.0 if not self.farmer_total else 100.0 * self.farmer_covered / self.farmer_total

    @property
    def ok(self) -> bool:
        return not self.has_template or self.farmer_percent >= REQUIRED.get(self.language, 0.0)


def _key(message: Message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (message.context, msgid)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _translated(message: Message | None) -> bool:
    if message is None:
        return False
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(forms) and all(forms)


def _in_english(message: Message) -> bool:
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    english = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
    return all(form in english for form in forms)


def _has_words(message: Message) -> bool:
    """False for an entry that is only placeholders and punctuation ("{label}: {value}"): nothing in it to
    translate, so the same text is the Welsh."""
    english = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
    return any(re.search(r"[^\W\d_]", re.sub(r"\{\w+\}|%\(\w+\)s", "", text)) for text in english)


def coverage(side: str, language: str, locale_dir: Path, domain: str) -> Coverage:
    """One side's catalogue in one language, counted against the side's template."""
    result = Coverage(side, language)
    template_path = locale_dir / f"{domain}.pot"
    if not template_path.exists():
        result.has_template = False
        return result
    template = [m for m in _read(template_path) if m.id]
    po_path = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    result.has_catalogue = po_path.exists()
    held = {_key(m): m for m in _read(po_path) if m.id} if result.has_catalogue else {}
    for source in template:
        found = held.get(_key(source))
        farmer = side == "app" or source.context == FARMER_CONTEXT
        result.total += 1
        result.farmer_total += farmer
        if not _translated(found):
            if farmer:
                result.farmer_missing.append(_key(source)[1])
            continue
        assert found is not None
        result.translated += 1
        result.fuzzy += found.fuzzy
        english = _in_english(found)
        result.kept_in_english += english
        if farmer and (not english or SAME in found.user_comments or not _has_words(found)):
            result.farmer_covered += 1
        elif farmer:
            result.farmer_missing.append(_key(source)[1])
    return result


def report() -> list[Coverage]:
    """Every side in every language other than English."""
    return [
        coverage(side, language, locale_dir, domain)
        for side, (locale_dir, domain) in SIDES.items()
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
    ]


def _line(c: Coverage) -> str:
    if not c.has_template:
        return f"{c.side:8} {c.language:3}  no template yet ({c.side}/locale/*.pot): run `make i18n-extract`"
    share = 100.0 * c.translated / c.total if c.total else 100.0
    missing = "" if c.has_catalogue else "  (no .po yet)"
    return (
        f"{c.side:8} {c.language:3}  {c.total:5} strings  {c.translated:5} translated ({share:5.1f}%)  "
        f"{c.fuzzy:5} fuzzy  {c.untranslated:5} untranslated  {c.kept_in_english:4} kept in English  "
        f"farmer-facing {c.farmer_covered}/{c.farmer_total} ({c.farmer_percent:.1f}%){missing}"
    )


def main() -> int:
    results = report()
    print("Translations (fuzzy: compiled and shown, not yet checked by a speaker)")
    for c in results:
        print(_line(c))
    failed = [c for c in results if not c.ok]
    for c in failed:
        need = REQUIRED.get(c.language, 0.0)
        print(f"\n{c.side} {c.language}: farmer-facing coverage {c.farmer_percent:.1f}% is below {need:.0f}%:")
        for msgid in c.farmer_missing[:20]:
            print(f"  - {msgid}")
        if len(c.farmer_missing) > 20:
            print(f"  ... and {len(c.farmer_missing) - 20} more")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
