"""The app's gettext catalogues for tests: compiled as the Makefile compiles them, and read back for checks."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.files import write_atomic
from core.i18n import APP_LOCALE, BACKEND_LOCALE

POT = APP_LOCALE / "app.pot"


def po_path(language: str) -> Path:
    return APP_LOCALE / language / "LC_MESSAGES" / "app.po"


def read_catalogue(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language)


def compile_catalogues() -> list[Path]:
    """`make i18n-compile` (`pybabel compile --use-fuzzy`) for every .po, the app's and the server's, whose .mo is
    missing or older; returns what it wrote. The browser tests run the real server, which speaks Welsh too."""
    written = []
    for po in sorted([*APP_LOCALE.glob("*/LC_MESSAGES/app.po"), *BACKEND_LOCALE.glob("*/LC_MESSAGES/backend.po")]):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        out = io.BytesIO()
        write_mo(out, read_catalogue(po, po.parent.parent.name), use_fuzzy=True)
        write_atomic(mo, out.getvalue(), durable=False)  # another test process may be reading it
        written.append(mo)
    return written
