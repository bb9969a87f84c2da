"""Issue 18, must-show 2 (the app's half): every word a farmer sees is marked for translation, the catalogue
holds every marked string, and no translation can break a screen.

The scan is in tests/app/translation_scan.py; the catalogues are app/locale/app.pot (made by `make i18n-extract`)
and app/locale/cy/LC_MESSAGES/app.po (Welsh, edited by people).
"""

from __future__ import annotations

import gettext
import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo

from tests.app.catalogues import POT, po_path, read_catalogue
from tests.app.translation_scan import unmarked, unmarked_in_source
from tests.support import ROOT

# What the farmer sees: the screens, the state behind them, and the messages the services, the sync engine and
# the saved places give them to show.
SCANNED = ("app/views", "app/state", "app/services", "app/sync", "app/store/places.py")
WELSH_PLURALS = 6  # CLDR: zero, one, two, few, many, other


def _scanned_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _messages(language: str = "cy") -> list[Message]:
    return [m for m in read_catalogue(po_path(language), language) if m.id]


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_word_a_farmer_sees_in_the_app_is_marked_for_translation() -> None:
    assert len(_scanned_files()) > 40
    problems = unmarked(_scanned_files(), ROOT)
    assert problems == [], "not marked with _() or N_():\n" + "\n".join(str(p) for p in problems)


def test_the_scan_finds_each_kind_of_unmarked_word_and_passes_marked_ones_and_codes() -> None:
    source = """
import flet as ft
def view(draft, name):
    ft.Text("Where did it happen?")
    body(f"Step {draft.step} of 7")
    primary_button("Save" if draft.ok else "Try again", None, key="save-button")
    text_field(_("Name"), "", None, key="name", hint="e.g. Top gate", helper=_("Helps"))
    ft.Icon(ft.Icons.PLACE, semantics_label="Location")
    ft.SnackBar(ft.Text("Saved"))
    ft.AlertDialog(title=ft.Text("Delete?"), content="Sure?")
    icon_button(ft.Icons.HOME, "Home", None, key="home")
    draft.notice = "Report discarded"
    draft.errors = {"category": ["Choose what happened"]}
    raise PhotoError("This file is empty")
    LABELS = {"sent": "Sent to the police", "kept": N_("Kept")}
def location_problem(draft):
    return "Give a location"
def fine(draft):
    ft.Text(_("Where did it happen?"))
    body(_("Step {number} of {total}").format(number=1, total=7))
    heading("Hedgerow")
    text_field(_("Date"), "", None, key="date", hint="23/11/2026 14:05")
    ft.Text(f"{draft.count} · {draft.size}")
    draft.go_to("danger")
    log.warning("the server refused %s", name)
    raise ValueError(name)
"""
    found = [(p.line, p.text) for p in unmarked_in_source(source)]
    assert found == [
        (4, "Where did it happen?"),
        (5, " of 7"),
        (5, "Step "),
        (6, "Save"),
        (6, "Try again"),
        (7, "e.g. Top gate"),
        (8, "Location"),
        (9, "Saved"),
        (10, "Delete?"),
        (10, "Sure?"),
        (11, "Home"),
        (12, "Report discarded"),
        (13, "Choose what happened"),
        (14, "This file is empty"),
        (15, "Sent to the police"),
        (17, "Give a location"),
    ]


def test_the_catalogue_template_holds_every_string_the_code_marks(tmp_path: Path) -> None:
    """`make i18n-extract` was run after the last marked string: extracting again finds nothing new or gone."""
    fresh = tmp_path / "app.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "-q", "extract", "-F", "app/babel.cfg", "-k", "_",
         "-k", "N_", "-k", "ngettext:1,2", "--sort-by-file", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    extracted = {m.id for m in read_catalogue(fresh) if m.id}
    committed = {m.id for m in read_catalogue(POT) if m.id}
    assert sorted(map(str, extracted - committed)) == [], "marked but not in app/locale/app.pot: make i18n-extract"
    assert sorted(map(str, committed - extracted)) == [], "in app/locale/app.pot but no longer marked"
    assert len(committed) > 350


def test_welsh_translates_every_string_of_the_app() -> None:
    template = {m.id for m in read_catalogue(POT) if m.id}
    welsh = {m.id: m for m in _messages()}
    assert sorted(map(str, template - set(welsh))) == []
    untranslated = [m.id for m in welsh.values() if not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert untranslated == []


def test_each_welsh_translation_keeps_exactly_the_placeholders_of_its_english() -> None:
    """A translation with a placeholder missing or misspelt would raise KeyError in str.format: the screen that
    shows it would fail to draw."""
    wrong = []
    for message in _messages():
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = _fields(sources[-1])
        for form in forms:
            if _fields(form) != wanted:
                wrong.append((sources[0], form))
            else:
                form.format(**dict.fromkeys(wanted, "x"))  # and it formats
    assert wrong == []


def test_welsh_plurals_have_all_six_forms_and_the_catalogue_compiles_and_loads() -> None:
    catalogue = read_catalogue(po_path("cy"), "cy")
    assert catalogue.num_plurals == WELSH_PLURALS
    plurals = [m for m in catalogue if m.id and m.pluralizable]
    assert plurals and all(len(m.string) == WELSH_PLURALS for m in plurals)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=True)  # as `make i18n-compile` does
    compiled.seek(0)
    welsh = gettext.GNUTranslations(compiled)
    assert welsh.gettext("Report an incident") == "Rhoi gwybod am ddigwyddiad"
    assert [welsh.ngettext("{count} photo", "{count} photos", n).format(count=n) for n in (0, 1, 2, 3, 6, 11)] == [
        "0 llun", "1 llun", "2 llun", "3 llun", "6 llun", "11 llun",
    ]  # fmt: skip


def test_no_welsh_translation_is_passed_as_checked_unless_a_welsh_speaker_or_an_official_source_says_so() -> None:
    """Every entry is fuzzy until checked; an entry without the flag must say who checked it or which official
    term base it comes from, in a translator comment."""
    unchecked = [
        m.id
        for m in _messages()
        if "fuzzy" not in m.flags and not any(c.lower().startswith(("checked by", "source:")) for c in m.user_comments)
    ]
    assert unchecked == []


def test_a_welsh_entry_left_in_english_says_why() -> None:
    """Where no Welsh term was sure, the English is kept, marked fuzzy, with a comment for the translator (as is a
    word that is the same in Welsh, so that nobody takes it for one forgotten)."""
    kept = [m for m in _messages() if m.string == m.id and re.search(r"[^\W\d_]", re.sub(r"\{\w+\}", "", m.id))]
    assert {m.id for m in kept} >= {"Model", "petrol"}
    assert [m.id for m in kept if not m.user_comments or "fuzzy" not in m.flags] == []


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_app_loads_each_language_it_offers(language: str) -> None:
    from app.i18n import _, current_language, set_language

    assert set_language(language) == language == current_language()
    assert _("Report an incident") == {"en": "Report an incident", "cy": "Rhoi gwybod am ddigwyddiad"}[language]


def test_an_unknown_language_gives_english_rather_than_a_screen_in_a_missing_language() -> None:
    from app.i18n import _, set_language

    assert set_language("fr") == "en"
    assert set_language(None) == "en"
    assert _("Report an incident") == "Report an incident"
    assert _("") == ""  # never the catalogue's header
