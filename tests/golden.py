"""Golden-file assertions: rendered output is compared whole, never by substrings.

``assert_golden(path, actual)`` fails with a unified diff when ``path`` differs from
``actual``. With ``CAPDECL_UPDATE_GOLDEN=1`` in the environment (``make golden``) it writes
``actual`` to ``path`` instead, so a reviewer sees every output change in the git diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

UPDATE_ENV = "CAPDECL_UPDATE_GOLDEN"
_MAX_DIFF_LINES = 200


def updating() -> bool:
    """True when goldens are being regenerated rather than checked."""
    return os.environ.get(UPDATE_ENV) == "1"


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the whole file at ``path`` (or rewrite it when updating)."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or _read(path) != actual:
            path.write_bytes(actual.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run `make golden` to create it")
    expected = _read(path)
    if expected != actual:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{path} (golden)",
            tofile="actual",
        )
        lines = list(diff)
        shown = "".join(lines[:_MAX_DIFF_LINES])
        more = len(lines) - _MAX_DIFF_LINES
        tail = f"\n... {more} more diff lines" if more > 0 else ""
        pytest.fail(
            f"{path} differs from the rendered output "
            f"(run `make golden` if the change is intended):\n{shown}{tail}",
            pytrace=False,
        )


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")
