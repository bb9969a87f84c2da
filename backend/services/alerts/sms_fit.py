"""How much of an alert fits in one text message of at most four SMS parts, counted as a phone network counts it.

A message whose every character is in the GSM 03.38 alphabet travels as 7-bit septets: 153 to a part once it is
split (a character of the alphabet's extension table, such as € or [, takes two). One character outside it (ŵ, ŷ,
â: Welsh needs them; the ellipsis "…" too) sends the whole message as UCS-2, 67 UTF-16 units to a part. So a Welsh
alert can be under half as long as an English one before a fifth part is billed and some phones drop the message.
"""

from __future__ import annotations

from collections.abc import Callable

PARTS = 4
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_PART, UCS2_PART = 153, 67


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def units(text: str, gsm: bool) -> int:
    """The text's length in the encoding's units: septets for GSM, UTF-16 code units for UCS-2."""
    if gsm:
        return sum(2 if c in GSM_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def limit(gsm: bool) -> int:
    return (GSM_PART if gsm else UCS2_PART) * PARTS


def cut_to_fit(build: Callable[[str], str], words: str) -> str | None:
    """The longest start of `words` (marked where it is cut) with which `build` makes a message that fits in
    PARTS parts; None if not one character fits. The encoding is the uncut message's, so a cut never counts on a
    larger allowance than the whole had."""
    whole = build(words)
    gsm = is_gsm(whole)
    if units(whole, gsm) <= limit(gsm):
        return words
    mark = "..." if gsm else "…"
    low, high = 0, len(words)  # the longest cut that fits, by bisection (a longer cut is never shorter)
    while low < high:
        middle = (low + high + 1) // 2
        if units(build(words[:middle].rstrip() + mark), gsm) <= limit(gsm):
            low = middle
        else:
            high = middle - 1
    return words[:low].rstrip() + mark if low else None
