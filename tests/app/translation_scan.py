"""Find the words a farmer would see that are not marked for translation (issue 18, must-show 2).

A string literal is user-visible when it reaches a place that puts words on the screen: the first argument of
`ft.Text` and of the app's own building blocks (`body`, `heading`, `primary_button` ...), a keyword such as
`label=`, `hint=`, `tooltip=` or `semantics_label=`, an attribute the screens show (`notice`, `gps_status` ...),
a dictionary of labels, a message returned by a check, or an exception whose message the farmer reads. It is
marked when it is inside `_()`, `N_()` or `ngettext()`. Literals with no word in them (punctuation, numbers,
formats such as "23/11/2026 14:05") and a few names that are the same in every language are allowed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MARKERS = {"_", "N_", "ngettext"}
LOGGERS = {"log", "logger", "logging"}
# The callable's last name -> the positions of its arguments that are shown.
SHOWN_ARGS: dict[str, tuple[int, ...]] = {
    "Text": (0,),
    "body": (0,),
    "heading": (0,),
    "subheading": (0,),
    "error_text": (0,),
    "warning": (0,),
    "primary_button": (0,),
    "secondary_button": (0,),
    "icon_button": (1,),
    "text_field": (0,),
    "choice_list": (0, 1),
    "checkbox": (0,),
    "radio": (1,),
    "language_choice": (1,),
    "_line": (0, 1),
    "_link": (0,),
    "field": (1,),
    "Entry": (2, 3),
    "SnackBar": (0,),
    "AlertDialog": (),
    "Tooltip": (0,),
    "TextButton": (0,),
    "Button": (0,),
    "FilledButton": (0,),
    "OutlinedButton": (0,),
    "ElevatedButton": (0,),
    "problem": (1,),
    "PickedFile": (2,),
    # Exceptions whose message is shown to the farmer as it is.
    "PhotoError": (0,),
    "SyncError": (0,),
    "Transient": (0,),
    "CaptivePortal": (0,),
    "Unauthorized": (0,),
    "Rejected": (1,),
    "CameraUnavailable": (),
    "GridRefError": (0,),
}
SHOWN_KEYWORDS = {
    "label",
    "hint",
    "hint_text",
    "helper",
    "helper_text",
    "error",
    "error_text",
    "counter_text",
    "prefix_text",
    "suffix_text",
    "tooltip",
    "semantics_label",
    "content",
    "title",
    "text",
    "dialog_title",
    "message",
    "problem",
    "last_error",
    "sending",
}
# Attributes of the state objects that screens show as they are.
SHOWN_ATTRIBUTES = {
    "notice",
    "language_notice",
    "gps_status",
    "place_message",
    "photo_message",
    "grid_ref_error",
    "waiting",
    "sending",
    "last_sync",
    "last_error",
    "state",
    "title",
    "problem",
    "errors",
    "field_errors",
}
# Functions whose result is a message for the farmer.
MESSAGE_FUNCTIONS = re.compile(
    r"(_problem|problem|_warning|warning|_summary|summary|^describe_state|^_ago|^_where|^_when|^_call_line|"
    r"^too_large|^_sending|^_problem|^unrecognised|^server_message_for_farmer)$"
)
WORD = re.compile(r"[^\W\d_]{2,}")
# The same in every language: the app's name, units, and an example of what3words' own form.
SAME_IN_EVERY_LANGUAGE = {"Hedgerow", "MB", "KB", "km", "GPS", "HTTP"}
EXACT_ALLOWED = {"///filled.count.soap"}


@dataclass(frozen=True)
class Unmarked:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


# One token that reads as a code, not a word: lower case ("danger", "photos_wifi_only"), or with a path's, a
# scheme's or a colour's punctuation ("/api/v1", "tel:999", "#FFF3CD"), or in capitals ("SU").
CODE = re.compile(r"^(?:[a-z0-9_]+|\S*[/_.:#+@]\S*|[A-Z0-9]+)$")


def _wordy(text: str) -> bool:
    if text in EXACT_ALLOWED or CODE.match(text.strip()):
        return False
    return any(word not in SAME_IN_EVERY_LANGUAGE for word in WORD.findall(text))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    """The string literals that flow into `node`'s value, leaving out what is marked, what is only a key or an
    argument to something that does not show it (`getattr`, `.get`), and f-strings' placeholders."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            yield node
        return
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in MARKERS:
            return
        if name == "format" and isinstance(node.func, ast.Attribute):
            yield from _literals(node.func.value)
            return
        if name == "join" and isinstance(node.func, ast.Attribute):
            yield from _literals(node.func.value)
            for arg in node.args:
                yield from _literals(arg)
            return
        return  # another function's result: that function is checked where its words are written
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant):
                yield part
            elif isinstance(part, ast.FormattedValue):
                yield from _literals(part.value)
        return
    if isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
        return
    if isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _literals(value)
        return
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _literals(element)
        return
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
        return
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        yield from _literals(node.elt)
        return
    if isinstance(node, ast.DictComp):
        yield from _literals(node.value)
        return
    if isinstance(node, ast.Starred):
        yield from _literals(node.value)


def _sinks(tree: ast.AST) -> Iterator[ast.AST]:
    """Every expression whose value reaches the screen."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and _name(node.func.value) in LOGGERS:
                continue  # a log line is for whoever runs the app, in English
            positions = SHOWN_ARGS.get(_name(node.func), ())
            for position in positions:
                if position < len(node.args):
                    yield node.args[position]
            for keyword in node.keywords:
                if keyword.arg in SHOWN_KEYWORDS:
                    yield keyword.value
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            shown = any(
                (isinstance(t, ast.Attribute) and t.attr in SHOWN_ATTRIBUTES)
                or (isinstance(t, ast.Subscript) and _name(t.value) in SHOWN_ATTRIBUTES | {"errors"})
                or (isinstance(t, ast.Name) and t.id.isupper())
                for t in targets
            )
            if shown and node.value is not None:
                yield node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and MESSAGE_FUNCTIONS.search(node.name):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    yield inner.value


def unmarked_in_source(source: str, path: str = "<source>") -> list[Unmarked]:
    tree = ast.parse(source)
    found = {
        (literal.lineno, literal.value) for sink in _sinks(tree) for literal in _literals(sink) if _wordy(literal.value)
    }
    return [Unmarked(path, line, text) for line, text in sorted(found)]


def unmarked(files: list[Path], root: Path) -> list[Unmarked]:
    return [
        problem for path in files for problem in unmarked_in_source(path.read_text(), path.relative_to(root).as_posix())
    ]
