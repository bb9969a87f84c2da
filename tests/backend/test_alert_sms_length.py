"""An alert's text message fits in four SMS parts as the phone network counts them (7-bit GSM, or UCS-2 the moment
one character is outside the GSM alphabet, as Welsh's ŵ and ŷ are), counted by smsutil, a splitter nobody here
wrote; the police's words are cut, never what to do."""

from __future__ import annotations

from typing import Any

import smsutil

from backend.services.alerts import sms_fit
from backend.services.alerts.messages import sms_text

ALERT: dict[str, Any] = {
    "force": "Dyfed-Powys Police",
    "title": "Hare coursers near Llanybydder",
    "text": "Two men with lurchers in a silver pickup.",
    "vehicle_registration": "AB12CDE",
    "expires_at": "2026-11-20T18:30:00+00:00",
}
LONG_ENGLISH = "Three men with lurchers were seen on the lane by the old mill, heading for the river. " * 20
LONG_WELSH = "Gwelwyd tri dyn gyda milgwn ar y lôn ger yr hen felin, yn mynd tua'r ŵyr a'r afon. " * 20


def parts(message: str) -> int:
    return len(smsutil.split(message).parts)


def test_a_short_alert_goes_whole_in_english_and_in_welsh() -> None:
    for language in ("en", "cy"):
        message = sms_text(ALERT, language)
        assert ALERT["text"] in message and "…" not in message and "..." not in message
        assert parts(message) == 2


def test_a_long_english_alert_is_cut_to_four_gsm_parts_with_a_gsm_mark() -> None:
    message = sms_text({**ALERT, "text": LONG_ENGLISH})
    assert smsutil.split(message).encoding == "gsm0338"
    assert parts(message) == 4  # filled, not cut short
    assert message.startswith("Police alert from Dyfed-Powys Police: Hare coursers near Llanybydder\nThree men")
    assert "...\nVehicle: AB12CDE\nUntil Fri 20 Nov, 18:30." in message  # "…" would have made it UCS-2
    assert message.endswith("In danger? Call 999.")


def test_a_long_welsh_alert_is_cut_to_four_ucs2_parts() -> None:
    message = sms_text({**ALERT, "text": LONG_WELSH}, "cy")
    assert smsutil.split(message).encoding == "utf_16_be"
    assert parts(message) == 4
    assert message.startswith("Rhybudd gan Heddlu Dyfed-Powys: Hare coursers near Llanybydder\nGwelwyd tri dyn")
    assert "…\nCerbyd: AB12CDE\nTan Gwen 20 Tach, 18:30." in message
    assert message.endswith("Mewn perygl? Ffoniwch 999.")
    # Under half the English allowance: the same cut in GSM would have been four times 153 septets.
    assert len(message) <= 4 * 67 < 4 * 153


def test_one_welsh_letter_in_an_english_alert_makes_the_whole_message_ucs2() -> None:
    message = sms_text({**ALERT, "text": "Seen at Pen-y-ŵyr. " + LONG_ENGLISH})
    assert smsutil.split(message).encoding == "utf_16_be" and parts(message) == 4
    assert message.endswith("In danger? Call 999.")


def test_when_no_word_of_the_text_fits_beside_the_title_the_title_is_cut_and_what_to_do_is_kept() -> None:
    title = "Cwrswyr ysgyfarnogod ŵyr " * 5  # 120 characters, with a letter outside GSM
    message = sms_text({**ALERT, "title": title.strip()[:120], "text": LONG_WELSH}, "cy")
    assert parts(message) <= 4
    assert message.startswith("Rhybudd gan Heddlu Dyfed-Powys: Cwrswyr") and message.endswith("Ffoniwch 999.")


def test_the_counts_agree_with_smsutil_on_every_extension_character() -> None:
    for text in ("[lurchers] {2} ~ € ^ | \\", "a" * 612, "a" * 611 + "€", "ŵ" * 268, "ŵ" * 269):
        gsm = sms_fit.is_gsm(text)
        split = smsutil.split(text)
        assert gsm == (split.encoding == "gsm0338"), text
        fits = sms_fit.units(text, gsm) <= sms_fit.limit(gsm)
        assert fits == (len(split.parts) <= sms_fit.PARTS), text
