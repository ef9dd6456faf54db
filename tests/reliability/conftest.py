"""Figures for the reliability report.

Tests record what they did (applies, faults injected, kills survived, hostile inputs
refused) with the ``figures`` fixture; at the end of the session the totals are printed as
JSON under "capdecl reliability figures", and every record is written to the file named by
``CAPDECL_RELIABILITY_FIGURES``, if set (``python -m tests.reliability.report`` does).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

FIGURES_ENV = "CAPDECL_RELIABILITY_FIGURES"
_COLLECTED: dict[str, list[dict[str, Any]]] = defaultdict(list)
_NOT_SUMMED = frozenset(
    {"seed", "attempts_per_request", "kill_at_write", "of_writes", "kill_at_ledger_write",
     "of_ledger_writes"}
)  # fmt: skip


class Figures:
    """Appends one record to a named section of the session's figures."""

    def record(self, section: str, **values: Any) -> None:
        _COLLECTED[section].append(values)


@pytest.fixture
def figures() -> Figures:
    return Figures()


def summary() -> dict[str, Any]:
    """The collected records plus per-section totals of their numeric fields."""
    body: dict[str, Any] = {}
    for section, records in sorted(_COLLECTED.items()):
        totals: dict[str, Any] = {"records": len(records)}
        for record in records:
            for key, value in record.items():
                if isinstance(value, bool) or key in _NOT_SUMMED:
                    continue
                if isinstance(value, int):
                    totals[key] = totals.get(key, 0) + value
                elif isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
                    into = totals.setdefault(key, {})
                    for name, count in value.items():
                        into[name] = into.get(name, 0) + count
        body[section] = {"totals": totals, "records": records}
    return body


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the totals of each section (the per-test records go to the file)."""
    if not _COLLECTED:
        return
    body = summary()
    totals = {section: value["totals"] for section, value in body.items()}
    terminalreporter.section("capdecl reliability figures")
    terminalreporter.write_line(json.dumps(totals, indent=1, sort_keys=True))
    target = os.environ.get(FIGURES_ENV)
    if target:
        Path(target).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", "utf-8")
