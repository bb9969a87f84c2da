"""Rules of the house that code review alone would let slip: shipped migrations stay frozen, and each rule that
both the phone and the server follow is written once, in core/."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIGRATION_DIRS = (ROOT / "backend" / "migrations", ROOT / "app" / "store" / "migrations")
SOURCE_DIRS = ("app", "backend", "wire", "core")


def _migrations() -> list[Path]:
    found = sorted(p for d in MIGRATION_DIRS for p in d.glob("m[0-9][0-9][0-9][0-9]_*.py"))
    assert len(found) >= 10  # at least the 7 server and 3 phone ones shipped: a glob that finds nothing must not pass
    return found


def _migration_faults(source: str) -> list[str]:
    """What makes a migration module more than frozen SQL: any import (backend.services, another migration,
    anything at all), or an SQL script that is not one literal string."""
    faults = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            faults += [f"imports {alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            faults.append(f"imports from {'.' * node.level}{node.module or ''}")
    sql = [
        n.value
        for n in tree.body
        if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SQL" for t in n.targets)
    ]
    if len(sql) != 1 or not (isinstance(sql[0], ast.Constant) and isinstance(sql[0].value, str)):
        faults.append("SQL is not one literal string")
    return faults


def test_the_migration_check_catches_what_the_old_migrations_did() -> None:
    assert _migration_faults("from backend.services import border\nSQL = 'x'") == ["imports from backend.services"]
    assert _migration_faults("from backend.migrations.m0005_summary_facts import _INSERT\nSQL = f'{_INSERT}'") == [
        "imports from backend.migrations.m0005_summary_facts",
        "SQL is not one literal string",
    ]
    assert _migration_faults("from . import m0002_clocks\nSQL = 'x'") == ["imports from ."]
    assert _migration_faults("SQL = 'CREATE TABLE a (x)'") == []


@pytest.mark.parametrize("path", _migrations(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_migration_is_literal_sql_and_imports_nothing(path: Path) -> None:
    assert _migration_faults(path.read_text()) == []


# One definition each, found by what the code says rather than by what it is called.
SINGLE_DEFINITIONS = {
    "the London time zone": (re.compile(r"""ZoneInfo\(\s*["']Europe/London["']\s*\)"""), "core/uktime.py"),
    "the OS grid letters": (
        # The 25 letters written out, or the alphabet without I, or worked out from character codes, or the
        # square-letter arithmetic.
        re.compile(
            r"ABCDEFGHJKLMNOPQRSTUVWXYZ|ascii_uppercase\.replace\(|chr\(\s*(?:65|ord\(\s*[\"']A[\"']\s*\))\s*\+"
            r"|\(19 - \w+\) \* 5 % 25"
        ),
        "core/gridref.py",
    ),
    "the National Grid projection": (
        # Its constants (the Airy 1830 ellipsoid, the scale on the central meridian, the WGS84 to OSGB36 Helmert
        # shift), or pygeodesy's OS grid, which makes a second conversion beside core's.
        re.compile(r"6377563\.396|0\.9996012717|446\.448|\b(?:toOsgr|parseOSGR|Osgr)\b"),
        "core/gridref.py",
    ),
    "haversine": (re.compile(r"a(?:sin|tan2)\(\s*(?:math\.)?sqrt\("), "core/geo.py"),
    "EXIF GPS parsing": (re.compile(r"""get\(\s*(?:ExifTags\.GPS\.)?["']?GPSLatitude"""), "core/exif.py"),
    "atomic file write": (re.compile(r"os\.replace\("), "core/files.py"),
    # '2 hours', '1 working day': the server measures these targets and the phone estimates them.
    "the response target grammar": (re.compile(r"\(minute\|hour\|day\|working day\)"), "core/targets.py"),
}


def _defining(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if any(pattern.search(line) for line in path.read_text().splitlines()):
                found.append(path.relative_to(ROOT).as_posix())
    return found


# What each rule's pattern must find: the copies there have been (the server's own National Grid conversion in
# areas/national_grid.py, pygeodesy's in open311/submit.py and demo/reports.py) and the other ways to write them.
COPIES = {
    "the London time zone": ['LONDON = ZoneInfo("Europe/London")', "tz = ZoneInfo( 'Europe/London' )"],
    "the OS grid letters": [
        'LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"',
        'letters = string.ascii_uppercase.replace("I", "")',
        "letter = chr(65 + index)",
        "letter = chr(ord('A') + index)",
        "second = (19 - n100) * 5 % 25 + e100 % 5",
    ],
    "the National Grid projection": [
        "_AIRY1830 = (6377563.396, 6356256.909)",
        "_F0 = 0.9996012717",
        "_TX, _TY, _TZ, _S_PPM = -446.448, 125.157, -542.060, 20.4894",
        "where = osgr.parseOSGR(address).toLatLon()",
        "osgr = toOsgr(LatLon(lat, lon))",
        "point = Osgr(easting, northing).toLatLon(datum=Datums.WGS84)",
        "from pygeodesy.osgr import Osgr",
    ],
    "haversine": ["return 2 * R * math.asin(math.sqrt(h))", "c = 2 * atan2(sqrt(a), sqrt(1 - a))"],
    "EXIF GPS parsing": ['lat = gps.get("GPSLatitude")', "lat = gps.get(ExifTags.GPS.GPSLatitude)"],
    "atomic file write": ["os.replace(tmp, path)"],
    # As backend/services/clocks/working_time.py had it.
    "the response target grammar": ['_TARGET = re.compile(r"^\\s*(\\d{1,5})\\s+(minute|hour|day|working day)s?\\s*$")'],
}


def test_each_rules_pattern_finds_the_copies_it_is_there_to_stop() -> None:
    assert sorted(COPIES) == sorted(SINGLE_DEFINITIONS)
    for rule, copies in COPIES.items():
        pattern = SINGLE_DEFINITIONS[rule][0]
        assert [c for c in copies if not pattern.search(c)] == [], rule
    # And not what merely talks about them, or uses core's.
    for line in ("from core.gridref import from_grid, grid_position", '"""held to pygeodesy\'s OSGB conversion"""'):
        assert not SINGLE_DEFINITIONS["the National Grid projection"][0].search(line)


@pytest.mark.parametrize("rule", sorted(SINGLE_DEFINITIONS))
def test_each_shared_rule_is_defined_in_one_module(rule: str) -> None:
    pattern, home = SINGLE_DEFINITIONS[rule]
    assert _defining(pattern) == [home]


def test_core_imports_nothing_the_phone_does_not_ship() -> None:
    # numpy is left out: sqlite-utils imports it when it happens to be installed, and does without it on a phone.
    code = (
        "import sys, core.migrations, core.gridref, core.exif, core.geo, core.files, core.targets, core.uktime\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'backend', 'app', 'fastapi', 'starlette', 'flet',"
        " 'shapely', 'uvicorn', 'holidays', 'jinja2'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# Derived tables and the modules that may write each (docs/architecture.md); () means triggers in the migrations
# keep it and no Python module may write it. The retention purge is the one named exception, for two tables.
DERIVED_WRITERS: dict[str, tuple[str, ...]] = {
    "report_clocks": ("backend/services/clocks/response_clocks.py",),
    "report_flags": ("backend/services/intake/events.py",),
    "report_nearby_forces": ("backend/services/areas/border.py",),
    "console_flag_counts": (),
    "report_places": (),
    # The alerts' and the alert places' R*Trees (issue 19): copied from their rows' box columns by triggers (m0012).
    "alert_boxes": (),
    "alert_place_boxes": (),
    # FTS5's 'optimize' after a purge, so that a purged report's words leave the index's pages.
    "report_text": ("backend/services/retention/purge.py",),
    # A purged report's fact stays, for published summaries, under an anonymous id.
    "summary_facts": ("backend/services/retention/erase.py",),
}


def _writes_to(source: str, table: str) -> bool:
    """Whether Python source holds SQL that changes `table` (INSERT/REPLACE INTO, UPDATE, DELETE FROM)."""
    return bool(re.search(rf"\b(?:INTO|UPDATE|DELETE\s+FROM)\s+{table}\b", source, re.IGNORECASE))


def test_the_writer_check_sees_every_kind_of_write() -> None:
    assert _writes_to('db.execute("INSERT OR REPLACE INTO summary_facts VALUES (?)")', "summary_facts")
    assert _writes_to("f'UPDATE report_clocks SET next_due_s = NULL'", "report_clocks")
    assert _writes_to('"delete from report_flags where report_id = ?"', "report_flags")
    assert not _writes_to('"SELECT n FROM console_flag_counts"', "console_flag_counts")
    assert not _writes_to('"UPDATE report_clocks_other SET x = 1"', "report_clocks")


@pytest.mark.parametrize("table", sorted(DERIVED_WRITERS))
def test_each_derived_table_has_one_writer(table: str) -> None:
    writers = [
        path.relative_to(ROOT).as_posix()
        for top in SOURCE_DIRS
        for path in sorted((ROOT / top).rglob("*.py"))
        if "migrations" not in path.parts and _writes_to(path.read_text(), table)
    ]
    assert writers == list(DERIVED_WRITERS[table])


# What each layer may not import (docs/architecture.md): the phone ships app/, wire/ and core/ alone; services hold
# the logic and know nothing of HTTP, pages or the processes that run them.
FORBIDDEN_IMPORTS = {
    "app": ("backend", "fastapi", "starlette", "uvicorn", "jinja2"),
    "wire": ("backend", "app", "fastapi", "flet"),
    "core": ("backend", "app", "wire", "fastapi", "flet"),
    "backend": ("app", "flet"),
    "backend/services": ("fastapi", "starlette", "backend.routes", "backend.console", "backend.open311", "backend.ops"),
}


def _imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _breaks(imported: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imported if any(name == f or name.startswith(f + ".") for f in forbidden))


def test_the_layer_check_sees_imports_of_every_form() -> None:
    imported = _imported_modules("import fastapi.routing\nfrom backend.routes import reports\nfrom backendish import x")
    assert _breaks(imported, FORBIDDEN_IMPORTS["backend/services"]) == ["backend.routes", "fastapi.routing"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_IMPORTS))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files
    faults = {
        path.relative_to(ROOT).as_posix(): broken
        for path in files
        if (broken := _breaks(_imported_modules(path.read_text()), FORBIDDEN_IMPORTS[layer]))
    }
    assert faults == {}


# SQL lives in backend/services: routes and console pages are thin, and call a named service function for each
# thing they read or write, so that each rule about the data is written in one place.
THIN_MODULES = ("backend/routes", "backend/console", "backend/open311/router.py")
_SQL_WORDS = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA)\b")
# The sqlite3 cursor's calls, and sqlite-utils' table and query helpers.
_DB_CALLS = {"execute", "executemany", "executescript", "query", "rows_where", "count_where", "table"}


def _thin_modules() -> list[Path]:
    found = []
    for name in THIN_MODULES:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    assert len(found) >= 25  # the routes, the console's pages and Open311's router: a glob that finds nothing fails
    return found


def _sql_faults(source: str) -> list[str]:
    """Where a module holds SQL: a string (or any piece of an f-string) with an SQL keyword in capitals, a call of
    the database's execute or sqlite-utils' helpers, or a table read as db["name"]."""
    faults = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_WORDS.search(node.value):
            faults.append(f"line {node.lineno}: SQL {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DB_CALLS:
            faults.append(f"line {node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value).split(".")[-1] in ("db", "wdb"):
            faults.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(faults)


def test_the_sql_check_catches_what_the_routes_and_pages_did() -> None:
    # As backend/routes/uploads.py, routes/staff.py and console/timeline.py did before issue 14.
    assert _sql_faults('owner = ctx.db.execute("SELECT device_id FROM reports WHERE id = ?", [rid]).fetchone()') == [
        "line 1: .execute()",
        "line 1: SQL 'SELECT device_id FROM reports WHERE id = ?'",
    ]
    concatenated = 'rows = run(\n    "SELECT id, category FROM reports "\n    "WHERE area_id IS NULL LIMIT 500"\n)'
    assert _sql_faults(concatenated) == ["line 2: SQL 'SELECT id, category FROM reports WHERE area_id IS NULL LIMIT'"]
    assert _sql_faults('rows = run(f"SELECT id FROM users WHERE id IN ({marks})", ids)') == [
        "line 1: SQL 'SELECT id FROM users WHERE id IN ('"
    ]
    assert _sql_faults('sql = f"DELETE FROM {table}"') == ["line 1: SQL 'DELETE FROM '"]
    assert _sql_faults('db["reports"].insert(row)') == ["line 1: db['reports']"]
    assert _sql_faults('request.state.db["areas"].get(1)') == ["line 1: request.state.db['areas']"]
    assert _sql_faults("rows = db.query(sql)") == ["line 1: .query()"]
    # What a thin module does: call services, and talk about selecting in lower case.
    assert _sql_faults('"""Select the reports from the queue."""\nareas = boundaries.areas_of(db, force)') == []
    assert _sql_faults('names = {o.id: o.display_name for o in officers}\nrow = rows[0]\nform["csrf"] = t') == []


@pytest.mark.parametrize("path", _thin_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_routes_and_console_pages_hold_no_sql(path: Path) -> None:
    assert _sql_faults(path.read_text()) == []


# A test that expects an error says which one: `pytest.raises` names the words of the message (`match=`), so that
# it cannot pass on another error of the same class (a ValueError from a typo, a 500 where a 422 was meant).
def _raises_without_match(source: str) -> list[int]:
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "pytest.raises"
        and not any(k.arg == "match" for k in node.keywords)
    )


def test_the_raises_check_finds_a_raises_without_its_message() -> None:
    assert _raises_without_match("with pytest.raises(TusUploadFailed):\n    up.upload()") == [1]
    assert _raises_without_match("x = 1\nwith pytest.raises(\n    (ValueError, KeyError)\n) as e:\n    f()") == [2]
    assert _raises_without_match('with pytest.raises(Invalid, match="^this invite link is damaged"):\n    f()') == []


def test_every_expected_error_in_the_tests_is_named_by_its_message() -> None:
    files = sorted((ROOT / "tests").rglob("*.py"))
    assert len(files) > 50
    faults = {
        path.relative_to(ROOT).as_posix(): lines for path in files if (lines := _raises_without_match(path.read_text()))
    }
    assert faults == {}


# The one write path (docs/architecture.md): only backend/writes.py opens a transaction (on backend/db.py's
# `write_transaction`); a write opened anywhere else would escape the batch that stores its reports' clocks.
OPENS_A_TRANSACTION = re.compile(r"""write_transaction\(|\.atomic\(\)|execute\(\s*["']BEGIN""")


def test_the_write_path_check_sees_every_way_to_open_a_transaction() -> None:
    assert OPENS_A_TRANSACTION.search("    with write_transaction(db):")
    assert OPENS_A_TRANSACTION.search("    with db.atomic():")
    assert OPENS_A_TRANSACTION.search('db.conn.execute("BEGIN IMMEDIATE")')
    assert not OPENS_A_TRANSACTION.search("    with write(db):")


def test_only_the_write_path_opens_transactions_on_the_server() -> None:
    opening = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "backend").rglob("*.py"))
        if OPENS_A_TRANSACTION.search(path.read_text())
    ]
    assert opening == ["backend/db.py", "backend/writes.py"]
