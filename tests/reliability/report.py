"""Run the reliability tests and print their figures as Markdown tables.

    .venv/bin/python -m tests.reliability.report            # whole suite, ~1-2 minutes
    .venv/bin/python -m tests.reliability.report -k faults  # extra arguments go to pytest
    .venv/bin/python -m tests.reliability.report --json figures.json

The figures come from the tests themselves (the ``figures`` fixture of
:mod:`tests.reliability.conftest`), so the table shows exactly what CI checked: fault
injection per seed, SIGKILL points survived, hostile inputs refused. Exit status is
pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.conftest import FIGURES_ENV

HERE = Path(__file__).parent
FAULT_TYPES = ("error", "throttle", "drop", "commit_drop")


def fault_table(title: str, records: list[dict[str, Any]]) -> list[str]:
    head = "| seed | attempts/request | changes | applies | requests | "
    head += " | ".join(FAULT_TYPES) + " | step failures survived | data lost |"
    lines = [f"### {title}", "", head, "|" + "---:|" * (7 + len(FAULT_TYPES))]
    for r in records:
        faults = " | ".join(str(r["faults"].get(t, 0)) for t in FAULT_TYPES)
        lines.append(
            f"| {r['seed']} | {r['attempts_per_request']} | {r['changes']} | {r['applies']} | "
            f"{r['requests']} | {faults} | {r['step_failures_survived']} | {r['data_lost']} |"
        )
    return [*lines, ""]


def crash_table(records: list[dict[str, Any]]) -> list[str]:
    lines = [
        "### SIGKILL during apply",
        "",
        "| workload | killed at | when | request | changes left | resumed cleanly |",
        "|---|---|---|---|---:|---|",
    ]
    for r in records:
        if "kill_at_write" in r:
            point = f"write {r['kill_at_write']} of {r['of_writes']}"
        else:
            point = f"ledger write {r['kill_at_ledger_write']} of {r['of_ledger_writes']}"
        lines.append(
            f"| {r['workload']} | {point} | {r['when']} | `{r['request']}` | "
            f"{r['remaining_changes']} | {'yes' if r['survived'] else 'no'} |"
        )
    return [*lines, ""]


def summary_lines(figures: dict[str, Any]) -> list[str]:
    lines = ["## capdecl reliability figures", ""]
    for key, title in (
        ("faults", "Applies under 15 % injected faults (5 attempts per request)"),
        ("faults_two_attempts", "Applies under 15 % faults, 2 attempts per request"),
    ):
        if key in figures:
            lines += fault_table(title, figures[key]["records"])
    if "crashes" in figures:
        lines += crash_table(figures["crashes"]["records"])
    counts = [
        ("hostile manifests refused before any request", "hostile_manifests"),
        ("hostile server replies refused, nothing written", "hostile_replies"),
        ("concurrent applies without duplicate or lost ledger entry", "two_applies"),
    ]
    for label, key in counts:
        if key in figures:
            lines.append(f"- {label}: {figures[key]['totals']['records']}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    options, pytest_args = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        target = options.json or Path(scratch) / "figures.json"
        os.environ[FIGURES_ENV] = str(target)
        status = pytest.main([str(HERE), "-q", "-p", "no:cacheprovider", *pytest_args])
        figures = json.loads(target.read_text()) if target.exists() else {}
    print("\n".join(summary_lines(figures)))
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
