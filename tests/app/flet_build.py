"""What `flet build apk|aab|ipa` would package, worked out by the pinned flet_cli's own code.

The Flutter SDK cannot be downloaded here, so the build cannot run. Everything up to the call of serious_python's
`package` step is plain Python in flet_cli, though: the entry-point check (`validate_entry_point`), the template
data (`setup_template_data`: permissions, Android features, Gradle properties, deep links) and the assembly of the
package command (`package_python_app`: the `-r` requirements and the `--exclude` paths). This module runs those
methods on a real `flet_cli` build command and records the command instead of running it.

The one step not in Python is serious_python's copy of the app directory (Dart, `copyDirectory` in its
`bin/package_command.dart`): an entry is skipped, with everything under it, when its path relative to the app
directory equals one of the `--exclude` values (flet_cli's `find_default_excludes` produces them in that form).
`bundled_files` walks the app directory with exactly that rule.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flet_cli.commands.build import Command
from flet_cli.utils.pyproject_toml import load_pyproject_toml
from flet_cli.utils.python_versions import PythonRelease


class BuildStopped(Exception):
    """flet_cli called `cleanup(exit_code != 0, message)`: the real build would stop here with this message."""


@dataclass
class BuildPlan:
    target: str
    app_dir: Path
    entry_file: Path
    requirements: list[str]
    excludes: list[str]
    template: dict[str, Any] = field(default_factory=dict)

    def bundled_files(self) -> list[str]:
        """Every file serious_python would copy into the bundle, relative to the app directory (with `/`)."""
        skip = {os.path.normpath(p) for p in self.excludes}
        files: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.app_dir):
            rel_dir = os.path.relpath(dirpath, self.app_dir)
            dirnames[:] = sorted(d for d in dirnames if os.path.normpath(os.path.join(rel_dir, d)) not in skip)
            for name in filenames:
                rel = os.path.normpath(os.path.join(rel_dir, name))
                if rel not in skip:
                    files.append(rel.replace(os.sep, "/"))
        return sorted(files)


def plan_build(project: Path, target: str, work: Path) -> BuildPlan:
    """Run flet_cli's build preparation for `target` on `project`; build state goes to `work`, not the project."""
    parser = argparse.ArgumentParser()
    cmd = Command(parser)
    options = parser.parse_args([target, str(project)])
    cmd.options = options
    cmd.target_platform = target
    cmd.package_platform = cmd.platforms[target]["package_platform"]
    cmd.config_platform = cmd.platforms[target]["config_platform"]
    cmd.python_app_path = project.resolve()
    cmd.get_pyproject = load_pyproject_toml(cmd.python_app_path)
    cmd.verbose = 0
    cmd.no_rich_output = True
    cmd.emojis = {"checkmark": "ok", "loading": "", "success": "", "directory": "", "info": "", "error": ""}

    def cleanup(exit_code: int, message: Any = None, no_border: bool = False) -> None:
        raise BuildStopped(str(message))

    cmd.cleanup = cleanup  # type: ignore[method-assign]
    # The bundled CPython line comes from a manifest flet_cli downloads from GitHub; it does not change what
    # is packaged, so a release of the default line stands in for it.
    cmd.python_release = PythonRelease(
        short="3.12",
        standalone="3.12.12",
        pyodide="0.27.7",
        android_abis=("arm64-v8a", "armeabi-v7a", "x86_64"),
        prerelease=False,
    )
    # Where the build keeps its own state: a scratch directory, so the project is left as it was.
    cmd.build_dir = work / "build"
    cmd.flutter_dir = cmd.build_dir / "flutter"
    cmd.flutter_packages_dir = cmd.build_dir / "flutter-packages"
    cmd.flutter_packages_temp_dir = cmd.build_dir / "flutter-packages-temp"
    cmd.flutter_dir.mkdir(parents=True, exist_ok=True)
    cmd.dart_exe = "dart"
    cmd.validate_entry_point()
    cmd.setup_template_data()

    recorded: list[list[str]] = []

    def run(args: list[str], cwd: str, env: dict[str, str] | None = None, capture_output: bool = True) -> Any:
        recorded.append([str(a) for a in args])
        (cmd.build_dir / "python-app").mkdir(parents=True, exist_ok=True)  # what serious_python would stage
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    cmd.run = run  # type: ignore[method-assign]
    cmd.package_python_app()
    (args,) = recorded
    assert args[:5] == ["dart", "run", "--suppress-analytics", "serious_python:main", "package"], args
    requirements = [args[i + 1] for i, a in enumerate(args) if a == "-r"]
    excludes = [args[i + 1] for i, a in enumerate(args) if a == "--exclude"]
    app_dir = Path(args[5])
    assert cmd.python_module_filename is not None
    return BuildPlan(
        target=target,
        app_dir=app_dir,
        entry_file=app_dir / cmd.python_module_filename,
        requirements=requirements,
        excludes=excludes,
        template=cmd.template_data or {},
    )
