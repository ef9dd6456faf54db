"""Every case rendered in every format it lists, compared whole with its golden file.

Regenerate after an intended output change with ``make golden`` (CAPDECL_UPDATE_GOLDEN=1)
and review the diff of ``tests/render/golden/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from capdecl.render import render_human, render_json, render_markdown
from tests.golden import assert_golden, updating
from tests.render.cases import CASES, SMALL_LIMIT

GOLDEN = Path(__file__).parent / "golden"
PARAMS = [(name, fmt) for name, case in CASES.items() for fmt in case.formats]


def render(fmt: str, plan: Mapping[str, Any]) -> str:
    if fmt == "txt":
        return render_human(plan)
    if fmt == "color.txt":
        return render_human(plan, color=True)
    if fmt == "md":
        return render_markdown(plan)
    if fmt == "small.md":
        return render_markdown(plan, limit=SMALL_LIMIT)
    assert fmt == "json", fmt
    return render_json(plan)


@pytest.mark.parametrize(("name", "fmt"), PARAMS, ids=[f"{n}.{f}" for n, f in PARAMS])
def test_golden(name: str, fmt: str) -> None:
    plan = CASES[name].build().to_dict()
    assert_golden(GOLDEN / f"{name}.{fmt}", render(fmt, plan))


@pytest.mark.parametrize(("name", "fmt"), PARAMS, ids=[f"{n}.{f}" for n, f in PARAMS])
def test_saved_plan_renders_the_same(name: str, fmt: str) -> None:
    """A plan read back from its JSON renders exactly like the in-memory plan."""
    plan = CASES[name].build().to_dict()
    reloaded = json.loads(render_json(plan))
    assert render(fmt, reloaded) == render(fmt, plan)


def test_no_orphan_goldens() -> None:
    """Every golden file belongs to a case, so a renamed case leaves nothing stale."""
    if updating():
        for path in GOLDEN.iterdir():
            if path.name not in {f"{n}.{f}" for n, f in PARAMS}:
                path.unlink()
    expected = {f"{n}.{f}" for n, f in PARAMS}
    assert {p.name for p in GOLDEN.iterdir()} == expected


def test_enough_cases() -> None:
    assert len(CASES) >= 14
    assert {"txt", "md", "json", "color.txt", "small.md"} <= {f for _, f in PARAMS}
