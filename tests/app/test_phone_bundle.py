"""`flet build apk|aab|ipa` on a working copy as a developer has it: what the phone gets, worked out by the
pinned flet_cli's own code (tests/app/flet_build.py). The Flutter SDK cannot be downloaded here, so this is as far
as a build can be checked on this machine; CI's phone workflow does the rest."""

from __future__ import annotations

import ast
import shutil
import sqlite3
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.app.flet_build import BuildPlan, plan_build
from tests.support import ROOT

# What may be packaged at the top of the bundle: the entry module, the app, the shared wire models, its assets.
BUNDLE_TOP = {"main.py", "app", "wire", "core", "pyproject.toml"}
BACKEND_ONLY = {
    "fastapi",
    "uvicorn",
    "starlette",
    "jinja2",
    "python-multipart",
    "argon2-cffi",
    "holidays",
    "shapely",
    "tuspyserver",
    "faker",
    "tqdm",
    "numpy",
    "fpdf2",
    "segno",
}
FORBIDDEN_IMPORTS = {"backend", "fastapi", "uvicorn", "starlette", "shapely", "numpy", "tests", "segno"}
# The versions Flet's mobile package index builds for Android and iOS (see docs/phone.md).
PHONE_PINS = {
    "flet": "1.0.5",
    "flet-geolocator": "1.0.5",
    "flet-camera": "1.0.5",
    "pillow": "12.2.0",
    "pydantic": "2.14.0a1",
}
SECRET = "hedgerow-webhook-secret-do-not-ship"


def _copy_of_the_working_tree(dest: Path) -> Path:
    """The project as a developer's checkout has it after `make run` and `make test`: a database, photos, a venv,
    build output, test screenshots, an egg-info and a .env with a secret in it."""
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "data", "test-artifacts", "node_modules", ".pytest_cache", ".ruff_cache"
        ),
        symlinks=True,
    )
    for db in (dest / "data" / "hedgerow.db", dest / "data" / "app" / "hedgerow.db"):
        db.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE reports (id TEXT PRIMARY KEY, farmer TEXT)")
            conn.execute("INSERT INTO reports VALUES ('r1', 'Jo Farmer, Top Gate Farm')")
        conn.close()
    planted = {
        "data/photos/ab/ab12.jpg": b"\xff\xd8\xff\xe0 a farm photo",
        "data/hedgerow.db-wal": b"wal",
        ".env": f"HEDGEROW_WEBHOOK_SECRET={SECRET}\n".encode(),
        ".venv/pyvenv.cfg": b"home = /usr/bin\n",
        ".venv/lib/python3.11/site-packages/fastapi/__init__.py": b"",
        "build/flutter/pubspec.yaml": b"name: hedgerow\n",
        "build/npm/node_modules/leaflet/package.json": b"{}",
        "hedgerow.egg-info/PKG-INFO": b"Name: hedgerow\n",
        "test-artifacts/console/queue.png": b"\x89PNG",
        "app/__pycache__/main.cpython-311.pyc": b"\x00",
    }
    for rel, content in planted.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return dest


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_of_the_working_tree(tmp_path_factory.mktemp("checkout") / "hedgerow")


@pytest.fixture(scope="module", params=["apk", "aab", "ipa"])
def plan(request: pytest.FixtureRequest, checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildPlan:
    return plan_build(checkout, request.param, tmp_path_factory.mktemp(f"flet-{request.param}"))


def test_the_build_finds_an_entry_module_that_starts_the_app(plan: BuildPlan) -> None:
    assert plan.entry_file.name == "main.py" and plan.entry_file.is_file()
    tree = ast.parse(plan.entry_file.read_text())
    imports = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert ("app.main", "run") in imports and "run" in calls


def test_the_phone_gets_flet_its_extensions_and_the_pins_the_mobile_index_has(plan: BuildPlan) -> None:
    requirements = [Requirement(r) for r in plan.requirements]
    names = [r.name.lower() for r in requirements]
    assert {"flet", "flet-geolocator", "flet-camera", "httpx", "sqlite-utils", "pydantic", "pillow"} <= set(names)
    assert not set(names) & BACKEND_ONLY, f"backend packages would be installed on the phone: {names}"
    exact = {r.name.lower(): str(r.specifier) for r in requirements if str(r.specifier).startswith("==")}
    for name, version in PHONE_PINS.items():
        assert exact.get(name) == f"=={version}", f"{name}: {exact.get(name)} (phone needs =={version})"
    for r in requirements:
        # pip on the phone must be able to satisfy every line together: each range admits the phone's pin.
        pin = PHONE_PINS.get(r.name.lower())
        if pin:
            assert r.specifier.contains(pin, prereleases=True), f"{r} excludes the phone's {pin}"
    assert all(r.marker is None for r in requirements)


def test_the_bundle_holds_the_app_and_nothing_from_development(plan: BuildPlan) -> None:
    files = plan.bundled_files()
    top = {f.split("/")[0] for f in files}
    assert top <= BUNDLE_TOP, f"packaged beside the app: {sorted(top - BUNDLE_TOP)}"
    assert {"main.py", "app/main.py", "app/services/enrolment.py", "wire/reports.py"} <= set(files)
    # Welsh on the phone: the compiled catalogue (made at set-up, before a build) and the code that loads it.
    assert {"app/locale/cy/LC_MESSAGES/app.mo", "app/i18n.py", "core/i18n.py"} <= set(files)
    suffixes = {".db", ".db-wal", ".db-shm", ".sqlite", ".jpg", ".jpeg", ".png", ".heic", ".pyc", ".jks", ".p12"}
    assert [f for f in files if Path(f).suffix in suffixes or f.endswith(".db-wal")] == []
    for f in files:
        path = plan.app_dir / f
        assert SECRET.encode() not in path.read_bytes(), f"{f} carries a secret"


def test_no_bundled_module_imports_the_backend_or_its_libraries(plan: BuildPlan) -> None:
    offenders = []
    for f in plan.bundled_files():
        if not f.endswith(".py"):
            continue
        tree = ast.parse((plan.app_dir / f).read_text(), f)
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [f"{f}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_IMPORTS]
    assert offenders == []


def test_phones_without_a_camera_or_gps_can_install_and_gradle_fits_a_ci_runner(plan: BuildPlan) -> None:
    options = plan.template["options"]
    features = options["android_features"]
    for feature in (
        "android.hardware.camera",
        "android.hardware.camera.any",
        "android.hardware.camera.autofocus",
        "android.hardware.location",
        "android.hardware.location.gps",
        "android.hardware.location.network",
    ):
        assert features.get(feature) is False, f"{feature} must be required=false, got {features.get(feature)}"
    jvm = options["android_gradle_properties"]["org.gradle.jvmargs"]
    heap = [a for a in jvm.split() if a.startswith("-Xmx")]
    assert heap and heap[0].endswith("G") and int(heap[0][4:-1]) <= 4, jvm
    assert options["deep_linking"] == {"scheme": "hedgerow", "host": "enrol"}
