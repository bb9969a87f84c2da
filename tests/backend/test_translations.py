"""Every word the server shows goes through its catalogue, and no translation can break a page (issue 18).

- The console's templates: any text or user-visible attribute (title, aria-label, placeholder, alt, a button's
  value, data-label) with letters in it outside `{% trans %}` / `_()` fails, and so does a string constant printed
  by an expression (`{{ 'Outside every area' }}`) or given to a macro as a label; ids, numbers, punctuation,
  variables and the few names below are not words to translate.
- The farmer-text modules: every string literal a farmer reads is the message of a `pgettext("farmer", ...)`.
- The catalogues: the Welsh one compiles; each translation keeps exactly its message's placeholders (`%(name)s`,
  the update templates' `{name}`), so filling one in cannot raise; the template (.pot) holds what the sources
  mark today and the Welsh .po holds every message of it; Welsh covers every farmer-facing message.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from core import i18n_check
from core.i18n import BACKEND_LOCALE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "backend" / "templates"
POT = BACKEND_LOCALE / "backend.pot"
WELSH_PO = BACKEND_LOCALE / "cy" / "LC_MESSAGES" / "backend.po"
# Modules whose literals a farmer reads, and the function of each that holds them (None: the whole module).
FARMER_TEXT = {
    ROOT / "backend" / "services" / "intake" / "farmer_text.py": None,
    ROOT / "backend" / "services" / "triage" / "update_templates.py": "built_in",
}
# Not words to translate: the product's and the partners' names, units, file formats and hashes.
NOT_WORDS = {"Hedgerow", "NFU", "CSV", "PDF", "SHA-256", "km", "m", "what3words", "QR", "UK"}
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label", "data-marker-title", "label"}
# What a Jinja part ({{ }}, {% %}, {# #}, a trans block) becomes before the HTML is parsed: a character that may
# stand in a tag name, an attribute or text alike, and is no letter.
JINJA_PART = "\u2063"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TRANS = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.DOTALL)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACES = re.compile(r"\{(\w+)\}")
GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


# -- Templates -----------------------------------------------------------------------------------------------------


def _words(text: str) -> str:
    """What is left of a piece of text that someone would have to translate: '' for none."""
    text = re.sub(r"&[#\w]+;", " ", text.replace(JINJA_PART, " "))
    kept = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w not in NOT_WORDS]
    return " ".join(kept)


class _Visible(HTMLParser):
    """The text and user-visible attributes of a page whose Jinja parts were replaced by JINJA_PART."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                # A button's value is sent, not shown; an input button shows its value.
                name == "value" and tag == "input" and values.get("type") in ("submit", "button", "reset")
            )
            if visible and value and _words(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _words(data):
            self.found.append(data.strip())


def untranslated_markup(source: str) -> list[str]:
    """Text and visible attributes of a template that are not inside `{% trans %}` or `_()`."""
    without = _JINJA.sub(JINJA_PART, _TRANS.sub(JINJA_PART, source))
    parser = _Visible()
    parser.feed(without)
    parser.close()
    return parser.found


def _printed_constants(node: nodes.Node) -> list[str]:
    """String constants an expression prints as they are (not through gettext, a filter's argument or a test)."""
    if isinstance(node, nodes.Const):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, (nodes.Or, nodes.And)):
        return _printed_constants(node.right) + (_printed_constants(node.left) if isinstance(node, nodes.Or) else [])
    if isinstance(node, nodes.CondExpr):
        return _printed_constants(node.expr1) + (_printed_constants(node.expr2) if node.expr2 else [])
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _printed_constants(node.node)
    if isinstance(node, nodes.Concat):
        return [c for n in node.nodes for c in _printed_constants(n)]
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name not in GETTEXT_NAMES:
        # A macro's arguments: a code is lower_snake_case; a label has a capital or a space.
        return [a.value for a in node.args if isinstance(a, nodes.Const) and isinstance(a.value, str)]
    return []


def _language_tag(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", text))


def untranslated_constants(source: str) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: list[str] = []
    for output in env.parse(source).find_all(nodes.Output):
        for node in output.nodes:
            found += [
                c
                for c in _printed_constants(node)
                if _words(c) and (" " in c or re.search(r"[A-Z]", c)) and not _language_tag(c)
            ]
    for call in env.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name not in GETTEXT_NAMES | {"caller"}:
            found += [
                a.value
                for a in call.args
                if isinstance(a, nodes.Const) and isinstance(a.value, str) and re.search(r"[A-Z ]", a.value)
            ]
    return sorted(set(found))


def test_the_template_check_finds_words_left_out_of_the_catalogue() -> None:
    assert untranslated_markup("<h1>Queue · {{ force }}</h1><p>{{ _('Fine') }}</p>") == [f"Queue · {JINJA_PART}"]
    assert untranslated_markup('<input placeholder="e.g. AB12 CDE" value="{{ v }}">') == [
        "<input placeholder='e.g. AB12 CDE'>"
    ]
    assert untranslated_markup('<input type="submit" value="Go"><button value="send">{{ _("Send") }}</button>') == [
        "<input value='Go'>"
    ]
    assert untranslated_constants("{{ report.text or 'No description given.' }}") == ["No description given."]
    assert untranslated_constants("{% call action_form('closed', 'Close the report', _('Close')) %}{% endcall %}") == [
        "Close the report"
    ]
    # Not words: variables, ids, numbers, codes, the product's name, units, a trans block, gettext calls.
    clean = (
        '<a class="brand" href="/console">Hedgerow</a><span id="x-1" class="flag flag-{{ f }}">{{ n }} km</span>'
        "{% trans n=n %}{{ n }} reports{% endtrans %}<td>{{ '%.4f' | format(x) }}</td>"
        "{{ _('Yes') if ok else _('No') }}{% if role == 'Admin' %}{% endif %}"
        "{% call action_form('hold_placed', _('Keep'), _('Keep'), anchor='legal-hold') %}{% endcall %}"
    )
    assert untranslated_markup(clean) == []
    assert untranslated_constants(clean) == []


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_every_user_visible_string_in_the_templates_is_marked_for_translation(path: Path) -> None:
    source = path.read_text()
    assert untranslated_markup(source) == []
    assert untranslated_constants(source) == []


# -- The farmer-text modules -----------------------------------------------------------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def unmarked_farmer_literals(source: str, function: str | None = None) -> list[str]:
    """String literals with words in them that are not the message of a pgettext/npgettext in the farmer context
    (codes such as "no_further_action", dict keys, docstrings and format-only pieces are not words)."""
    tree = ast.parse(source)
    if function is not None:
        tree = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    allowed = _docstrings(tree)
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("pgettext", "npgettext"):
            context, *messages = call.args[:3] if call.func.id == "npgettext" else call.args[:2]
            assert isinstance(context, ast.Constant) and context.value == "farmer", ast.unparse(call)
            allowed |= {id(context)} | {id(m) for m in messages if isinstance(m, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            allowed |= {id(k) for k in node.keys if isinstance(k, ast.Constant)}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
        and not re.fullmatch(r"[a-z0-9_]*", node.value)
        and _words(node.value)
    ]


def test_the_farmer_text_check_finds_a_literal_outside_the_catalogue() -> None:
    source = (
        'def f(kind):\n    """Doc words."""\n'
        '    return {"closed": pgettext("farmer", "Closed")}.get(kind) or "Updated"\n'
    )
    assert unmarked_farmer_literals(source) == ["Updated"]
    with pytest.raises(AssertionError, match="pgettext"):
        unmarked_farmer_literals('pgettext("staff", "Closed")')


@pytest.mark.parametrize("path", sorted(FARMER_TEXT), ids=lambda p: p.name)
def test_every_literal_a_farmer_reads_is_in_the_farmer_context_of_the_catalogue(path: Path) -> None:
    assert unmarked_farmer_literals(path.read_text(), FARMER_TEXT[path]) == []


# -- The catalogues ------------------------------------------------------------------------------------------------


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _from_template(message: Message) -> bool:
    return any(path.endswith(".html") for path, _line in message.locations)


def placeholder_faults(message: Message) -> list[str]:
    """Why a translation could break the text it fills in: placeholders that differ from its message's, or a
    stray % that formatting would choke on."""
    english = _forms(message.id)
    names = {n for text in english for n in _PLACEHOLDER.findall(text)}
    braces = {n for text in english for n in _BRACES.findall(text)}
    formatted = bool(names) or _from_template(message)  # a template's gettext always %-formats
    faults = []
    for form in _forms(message.string):
        if not form:
            continue
        if set(_PLACEHOLDER.findall(form)) != names and not (
            message.pluralizable and set(_PLACEHOLDER.findall(form)) <= names
        ):
            faults.append(f"{message.id!r}: placeholders {sorted(_PLACEHOLDER.findall(form))} != {sorted(names)}")
        if set(_BRACES.findall(form)) != braces:
            faults.append(f"{message.id!r}: {{names}} {sorted(_BRACES.findall(form))} != {sorted(braces)}")
        if formatted:
            try:
                form % dict.fromkeys(names | {"n", "count"}, 1)
            except (KeyError, ValueError, TypeError) as exc:
                faults.append(f"{message.id!r}: {form!r} cannot be filled in: {exc}")
    return faults


def test_the_placeholder_check_catches_what_would_crash_a_page() -> None:
    def entry(msgid: str, msgstr: str, where: str = "x.py") -> Message:
        return Message(msgid, msgstr, locations=[(where, 1)])

    assert placeholder_faults(entry("Queue · %(force)s", "Ciw · %(force)s")) == []
    assert placeholder_faults(entry("Queue · %(force)s", "Ciw · %(heddlu)s"))
    assert placeholder_faults(entry("Closed %(n)d", "Caewyd %(n)s %(extra)s"))
    assert placeholder_faults(entry("90 percent", "90% wedi", "page.html"))  # a template's text is %-formatted
    assert placeholder_faults(entry("Hi {officer}", "Helo {swyddog}"))
    assert placeholder_faults(entry("90% answered", "90% wedi", "figures.py")) == []  # never %-formatted


def welsh_messages() -> list[Message]:
    with WELSH_PO.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def test_no_welsh_translation_can_break_the_text_it_fills_in() -> None:
    faults = [f for m in welsh_messages() for f in placeholder_faults(m)]
    assert faults == []


def test_the_welsh_catalogue_compiles_with_six_plural_forms(tmp_path: Path) -> None:
    with WELSH_PO.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 6
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == 6, message.id
    compiled = tmp_path / "backend.mo"
    with compiled.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)
    with compiled.open("rb") as handle:
        loaded = read_mo(handle)
    assert len([m for m in loaded if m.id]) == len([m for m in catalog if m.id and m.string])
    # And as `make i18n-compile` does it: pybabel compile, no errors.
    done = subprocess.run(
        [Path(sys.executable).parent / "pybabel", "compile", "--use-fuzzy", "-i", WELSH_PO, "-o", tmp_path / "b.mo"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _keys(path: Path) -> set[tuple[str | None, str]]:
    with path.open("rb") as handle:
        return {(m.context, _forms(m.id)[0]) for m in read_po(handle) if m.id}


def test_the_template_holds_what_the_sources_mark_and_the_welsh_catalogue_holds_all_of_it(tmp_path: Path) -> None:
    fresh = tmp_path / "backend.pot"
    done = subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "-q",
            "extract",
            "-F",
            "backend/babel.cfg",
            "-k",
            "_",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "-o",
            fresh,
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert _keys(fresh) == _keys(POT), "run `make i18n-extract` (its backend lines) and translate what is new"
    assert _keys(POT) <= _keys(WELSH_PO)


def test_welsh_covers_every_farmer_facing_message_of_the_server() -> None:
    [backend] = [c for c in i18n_check.report() if c.side == "backend" and c.language == "cy"]
    assert backend.farmer_total >= 40
    assert backend.farmer_missing == []
    assert backend.farmer_percent == 100.0


def test_the_coverage_report_counts_fuzzy_untranslated_and_english_kept(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    (locale / "cy" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "d.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgctxt "farmer"\nmsgid "Closed"\nmsgstr ""\n\nmsgctxt "farmer"\nmsgid "Map"\n'
        'msgstr ""\n\nmsgid "Queue"\nmsgstr ""\n\nmsgid "Flags"\nmsgstr ""\n'
    )
    (locale / "cy" / "LC_MESSAGES" / "d.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: cy\\n"\n\n#, fuzzy\nmsgctxt "farmer"\nmsgid "Closed"\nmsgstr "Wedi cau"\n\n'
        'msgctxt "farmer"\nmsgid "Map"\nmsgstr "Map"\n\nmsgid "Queue"\nmsgstr "Ciw"\n'
    )
    counted = i18n_check.coverage("backend", "cy", locale, "d")
    assert (counted.total, counted.translated, counted.fuzzy, counted.untranslated) == (4, 3, 1, 1)
    assert (counted.kept_in_english, counted.farmer_total, counted.farmer_covered) == (1, 2, 1)
    assert counted.farmer_missing == ["Map"] and not counted.ok
    # A translator's note that the English is right in Welsh too covers it.
    po = locale / "cy" / "LC_MESSAGES" / "d.po"
    po.write_text(
        po.read_text().replace('msgctxt "farmer"\nmsgid "Map"', '# Same in Welsh.\nmsgctxt "farmer"\nmsgid "Map"')
    )
    assert i18n_check.coverage("backend", "cy", locale, "d").ok
    # A side with no template yet is reported and passes; one with a template but no .po has nothing.
    assert i18n_check.coverage("app", "cy", tmp_path / "none", "app").has_template is False
    (locale / "cy" / "LC_MESSAGES" / "d.po").unlink()
    bare = i18n_check.coverage("app", "cy", locale, "d")
    assert (bare.has_catalogue, bare.translated, bare.farmer_total, bare.ok) == (False, 0, 4, False)


def test_make_i18n_check_passes_and_says_so_per_side() -> None:
    done = subprocess.run([sys.executable, "-m", "core.i18n_check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"backend\s+cy\s+\d+ strings .* farmer-facing (\d+)/\1 \(100\.0%\)", done.stdout)
