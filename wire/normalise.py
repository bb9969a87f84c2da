"""Normalisers both sides apply, so that the phone and the server compare the same strings."""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def normalise_registration(text: str) -> str:
    """A vehicle registration as the police search for it: upper case, letters and digits only.

    >>> normalise_registration(" ab12 cde ")
    'AB12CDE'
    """
    return _NOT_ALNUM.sub("", text.upper())
