"""Free-text search over reports: descriptions, places and vehicle registrations, through SQLite FTS5.

The index (`report_text`, see migrations/m0004_console.py) holds each report's description, its place (name,
grid reference, what3words) and its registrations as the wire normalises them ("AB12CDE"). What an officer
types is never passed to FTS5 as syntax: it is cut into words, each quoted, all required, the last one a
prefix (so "Long Mea" finds "Long Meadow"); and when the text could be a registration it also matches the
registrations column in its normalised form, so "ab12 cde" finds AB12CDE.
"""

from __future__ import annotations

import re

from wire.normalise import normalise_registration

MAX_WORDS = 8
MAX_QUERY_CHARS = 200
_WORD = re.compile(r"\w+", re.UNICODE)
# UK-style registrations and the shorter or foreign plates officers search for: letters and digits, 2 to 10.
_REGISTRATION = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{2,10}$")


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what was typed, or None when there is nothing to search for."""
    text = text[:MAX_QUERY_CHARS]
    words = [w.lower() for w in _WORD.findall(text)][:MAX_WORDS]
    if not words:
        return None
    terms = [_quoted(w) for w in words[:-1]] + [_quoted(words[-1]) + "*"]
    expression = " AND ".join(terms)
    registration = normalise_registration(text)
    if _REGISTRATION.match(registration) and (len(words) > 1 or words[0].upper() != registration):
        expression = f"({expression}) OR registrations : {_quoted(registration.lower())}*"
    return expression
