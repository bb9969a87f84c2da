"""Must-show 4: schemathesis, run against the real backend's own /openapi.json, finds no server error, no response
that breaks the documented schema and no undocumented status code.

It runs twice, once with a farmer's device token and once with an admin's staff token, so that both kinds of
caller reach past authentication; half of the generated report ids are ones that exist. The tus upload routes
(/api/v1/uploads) are left out: schemathesis does not speak tus (offsets across a sequence of PATCH requests),
and those routes are tested with a real tus client in test_uploads.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.backend.intake import put_report
from tests.support import HAMPSHIRE, KENT, NOWHERE, LiveServer, register, staff_token

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
EXAMPLES_PER_OPERATION = 25


def _config(reports: list[str], seed: int) -> str:
    ids = ", ".join(f'"{r}"' for r in reports)
    return f"""
seed = {seed}
workers = 1

[dictionaries.reports]
values = [{ids}]

[parameters]
"path.report_id" = {{ dictionary = "reports", probability = 0.5 }}
"""


def _run(server: LiveServer, token: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(workdir / "schemathesis.toml"),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--exclude-path-regex",
            "^/api/v1/uploads",
            "--header",
            f"Authorization: Bearer {token}",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        cwd=workdir,  # schemathesis keeps its cache and reports in the working directory
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.seed(2026)
@pytest.mark.parametrize("caller", ["device", "admin"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    server: LiveServer, client: httpx.Client, tmp_path: Path, caller: str, seed: int
) -> None:
    device = register(client, "Schema farmer")
    reports = [put_report(client, device, where=where)[0] for where in (KENT, HAMPSHIRE, NOWHERE)]
    if caller == "device":
        token = device["Authorization"].removeprefix("Bearer ")
    else:
        token = staff_token(server, client, f"schema-{caller}", "admin")["Authorization"].removeprefix("Bearer ")
    (tmp_path / "schemathesis.toml").write_text(_config(reports, seed))

    done = _run(server, token, tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-20_000:]
    tested = re.search(r"Tested:\s+(\d+)", output)
    assert tested is not None, output[-5000:]
    assert int(tested.group(1)) >= 10, "schemathesis reached the API's operations"
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None and int(generated.group(1)) >= 100, output[-5000:]
