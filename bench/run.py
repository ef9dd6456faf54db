"""``make bench``: every performance target of capdecl, measured in one run.

    python bench/run.py [--only w1,w2,w3,startup] [--work DIR] [--strict]

Workloads are generated (or reused) under ``bench/.work`` by :mod:`workloads`; a fresh
sandbox runs in its own process (:mod:`common`). Each target is a ratio against a
baseline measured in the same run, so a busy machine slows both sides. The table is
printed and written to ``bench/results.md``; ``--strict`` makes a missed target exit 1.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import startup
import w1
import w2
import w3
from common import BENCH, REPO, Report, Row, Sandbox, fmt_s, timed

PARTS = ("w1", "w2", "w3", "startup")


def table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| Target | Measured | Ratio | Limit | Holds |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        holds = "yes" if row.holds else "**no**"
        value = f"{row.ratio:.2f}{row.unit}"
        lines.append(f"| {row.target} | {row.figures} | {value} | {row.bound} | {holds} |")
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average at the end {load}"
    )


def write_results(report: Report, seconds: float, parts: list[str]) -> str:
    text = "\n".join(
        [
            "# capdecl performance (`make bench`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()}; "
            f"parts: {', '.join(parts)}; the run took {fmt_s(seconds)}.",
            "",
            table(report.rows),
            "",
            "Notes:",
            "",
            *[f"- {note}" for note in report.notes],
            "",
            "How it is measured (`bench/`): a fresh sandbox in its own process; requests "
            "counted by the sandbox with a pre-issued token (no OAuth request); times are the "
            "best of N runs, alternating with their baseline (medians shown); the W1 floor is "
            "the same six listing requests made raw with `requests` (`.json()` included) plus "
            "`os.stat` of every file, in-process for the in-process plan and as "
            "`python bench/floor.py` for `capdecl plan`; peak RSS is the `capdecl plan` "
            "child's own `ru_maxrss`.",
            "",
        ]
    )
    (BENCH / "results.md").write_text(text, encoding="utf-8")
    return text


def compile_bytecode(report: Report) -> None:
    """Write capdecl's bytecode, as ``pip install`` does for an installed (non-editable)
    copy: with ``PYTHONDONTWRITEBYTECODE`` set, as on these machines, every ``capdecl``
    process would otherwise compile its modules from source (~60 ms), a cost no user of
    an installed capdecl pays and the floor script (``requests`` is installed) does not."""
    seconds = timed(lambda: compileall.compile_dir(REPO / "capdecl", quiet=1))
    report.note(f"capdecl's bytecode compiled first, as an install would ({fmt_s(seconds)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--work", type=Path, default=BENCH / ".work")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts: {', '.join(unknown)}")
    started = time.perf_counter()
    report = Report()
    compile_bytecode(report)
    work = args.work.absolute()
    work.mkdir(parents=True, exist_ok=True)
    state = work / "sandbox"
    shutil.rmtree(state, ignore_errors=True)
    with Sandbox(state) as sandbox:
        token = sandbox.token()
        if "w1" in parts:
            w1.run(report, sandbox, token, work)
        if "w2" in parts:
            w2.run(report, sandbox, token, work)
        if "w3" in parts:
            w3.run(report, sandbox, token, work)
    if "startup" in parts:
        startup.run(report)
    seconds = time.perf_counter() - started
    print()
    print(write_results(report, seconds, parts))
    return 1 if args.strict and not all(row.holds for row in report.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
