"""The phone's packages alone: a fresh virtualenv with exactly the requirements `flet build apk` would install
(worked out by the pinned flet_cli, tests/app/flet_build.py), no backend extra, and the bundle's files alone. The
app's headless smoke test (tests/app/phone_smoke.py) runs there, so an app module that imports FastAPI, shapely or
the backend fails here as it would on a phone. pip uses this machine's configuration (its cache and indexes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.app.flet_build import BuildPlan, plan_build
from tests.support import ROOT

pytestmark = pytest.mark.slow
SMOKE = Path(__file__).with_name("phone_smoke.py")
PIP_WHEELS_ONLY = ("--only-binary", ":all:")
RUN_SMOKE = f"import runpy; runpy.run_path({str(SMOKE)!r}, run_name='__main__')"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> BuildPlan:
    return plan_build(ROOT, "apk", tmp_path_factory.mktemp("flet-apk"))


@pytest.fixture(scope="module")
def phone_python(plan: BuildPlan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("phone-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip_install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PIP_WHEELS_ONLY]
    done = subprocess.run(
        # As serious_python installs them for a phone: wheels only (`--only-binary :all:`), the listed lines alone.
        [*pip_install, *plan.requirements],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return python


def _bundle(plan: BuildPlan, dest: Path) -> Path:
    for rel in plan.bundled_files():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(plan.app_dir / rel, dest / rel)
    return dest


def _installed(python: Path) -> dict[str, str]:
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listing.stdout)}


def test_the_phone_venv_holds_the_mobile_pins_and_nothing_of_the_backend(phone_python: Path) -> None:
    installed = _installed(phone_python)
    assert {k: installed.get(k) for k in ("flet", "flet-geolocator", "flet-camera")} == {
        "flet": "1.0.5",
        "flet-geolocator": "1.0.5",
        "flet-camera": "1.0.5",
    }
    assert (installed.get("pillow"), installed.get("pydantic"), installed.get("pydantic-core")) == (
        "12.2.0",
        "2.14.0a1",
        "2.47.0",
    )
    assert not {"fastapi", "starlette", "uvicorn", "shapely", "numpy", "hedgerow", "segno"} & set(installed)


def test_the_app_runs_its_smoke_test_on_the_phones_packages_alone(
    phone_python: Path, plan: BuildPlan, tmp_path: Path
) -> None:
    bundle = _bundle(plan, tmp_path / "bundle")
    done = subprocess.run([str(phone_python), "-c", RUN_SMOKE], cwd=bundle, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SMOKE OK: " in done.stdout
    assert "pillow 12.2.0, pydantic 2.14.0a1, pydantic-core 2.47.0" in done.stdout


@pytest.mark.parametrize(
    ("line", "missing"),
    [("import shapely", "shapely"), ("from fastapi import APIRouter", "fastapi"), ("import backend.db", "backend")],
)
def test_an_app_module_importing_the_backend_side_fails_the_smoke_test(
    phone_python: Path, plan: BuildPlan, tmp_path: Path, line: str, missing: str
) -> None:
    bundle = _bundle(plan, tmp_path / "bundle")
    (bundle / "app" / "services" / "leak.py").write_text(f"{line}\n")
    done = subprocess.run([str(phone_python), "-c", RUN_SMOKE], cwd=bundle, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert f"ModuleNotFoundError: No module named '{missing}'" in done.stderr
    assert sys.executable != str(phone_python)
