"""`make bench`: run every tests/benchmarks/bench_*.py and record its table in docs/.

Each benchmark module has `main(argv) -> str` returning a Markdown table. Its result is written to
docs/perf/<name>.md with the command, the machine and the date, and docs/performance.md is assembled from
all of docs/perf/*.md. Run one: `.venv/bin/python -m tests.benchmarks.run_all intake`.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent.parent / "docs"
PERF = DOCS / "perf"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {system}, Python {platform.python_version()}"


def record(name: str, table: str, command: str) -> Path:
    PERF.mkdir(parents=True, exist_ok=True)
    module = importlib.import_module(f"tests.benchmarks.bench_{name}")
    title = (module.__doc__ or name).strip().splitlines()[0]
    path = PERF / f"{name}.md"
    path.write_text(
        f"## {title}\n\nCommand: `{command}`  \nMachine: {machine()}  \n"
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}\n\n{table}\n"
    )
    return path


def assemble() -> None:
    parts = [
        "# Performance\n",
        "Every figure here was produced by `make bench` (tests/benchmarks/), which rewrites the section of each "
        "benchmark it runs. The machines are shared 2-core VMs, so each benchmark measures its own baseline in "
        "the same run and compares against it.\n",
    ]
    parts += [p.read_text() for p in sorted(PERF.glob("*.md"))]
    (DOCS / "performance.md").write_text("\n".join(parts))


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    for name in names:
        print(f"== bench_{name}", flush=True)
        module = importlib.import_module(f"tests.benchmarks.bench_{name}")
        table = module.main([])
        record(name, table, f".venv/bin/python -m tests.benchmarks.bench_{name}")
    assemble()
    print(f"wrote {DOCS / 'performance.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
