"""Units, quoting and the summary line."""

from __future__ import annotations

import pytest

from capdecl.planner.model import Action, Change, Kind, Plan
from capdecl.render import summary_line
from capdecl.render.summary import unmanaged_lines, unverified_headline, unverified_shown
from capdecl.render.text import (
    compact,
    format_duration,
    format_size,
    quote,
    signed_duration,
    signed_size,
)
from tests.render.builders import capture_after, capture_before


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1_258_291, "1.2 MiB"),
        (1_048_575, "1.0 MiB"),  # 1023.999 KiB rounds up into the next unit
        (5 * 1024**3, "5.0 GiB"),
        (3 * 1024**4, "3.0 TiB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00:00"),
        (0.4, "00:00:00"),
        (59.6, "00:01:00"),
        (250, "00:04:10"),
        (360_000, "100:00:00"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_signed_values() -> None:
    assert (signed_size(1_258_291), signed_size(-512), signed_size(0)) == (
        "+1.2 MiB",
        "-512 B",
        "0 B",
    )
    assert (signed_duration(250), signed_duration(-59), signed_duration(0.2)) == (
        "+00:04:10",
        "-00:00:59",
        "00:00:00",
    )


def test_quote_escapes_terminal_and_invisible_characters() -> None:
    assert quote('a"b\n\x1b[31m\x9b\u202e\u200b') == r'"a\"b\n\u001b[31m\u009b\u202e\u200b"'
    assert compact({"k": ["\x07"]}) == r'{"k": ["\u0007"]}'


def _capture_plan(*changes: Change) -> dict[str, object]:
    return Plan(project="p", changes=changes).to_dict()


def test_summary_line_counts_and_deltas() -> None:
    created = Change(
        kind=Kind.CAPTURE, action=Action.CREATE, name="a", after=capture_after("a", size=3_000_000)
    )
    replaced = Change(
        kind=Kind.CAPTURE,
        action=Action.REPLACE,
        name="b",
        before=capture_before("b", size=1_000, samples=100, rate=10),  # 10 s
        after=capture_after("b", size=2_000, samples=100, rate=None),  # unknown: not counted
    )
    deleted = Change(
        kind=Kind.CAPTURE, action=Action.DELETE, name="c", before=capture_before("c", size=500)
    )
    line = summary_line(_capture_plan(created, replaced, deleted))
    # bytes: 3_000_000 + 2_000 - 1_000 - 500; seconds: 10 - 10 - 10
    assert line == (
        "Plan: 1 to add, 0 to change, 1 to replace, 1 to destroy"
        " (+2.9 MiB, -00:00:10 of recording)."
    )


def test_summary_line_without_deltas() -> None:
    updated = Change(
        kind=Kind.METADATA,
        action=Action.UPDATE,
        name="m",
        before={"name": "m", "type": "string", "values": []},
        after={"name": "m", "type": "string", "values": ["x"]},
    )
    assert (
        summary_line(_capture_plan(updated))
        == "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy."
    )
    assert summary_line(Plan(project='a "b"').to_dict()) == (
        'No changes. Project "a \\"b\\"" matches the manifests.'
    )


def test_notes_wording() -> None:
    assert unverified_headline(1).startswith("1 capture is unverified")
    assert unverified_headline(2).startswith("2 captures are unverified")
    plan = Plan(project="p", unverified=tuple(f"n{i}" for i in range(25))).to_dict()
    names, more = unverified_shown(plan)
    assert (len(names), names[0], more) == (20, "n0", 5)
    unmanaged = {"capture": 1, "metadata": 2, "configuration": 0, "future_kind": 3}
    lines = unmanaged_lines(Plan(project="p", unmanaged=unmanaged).to_dict())
    assert lines == [
        "2 metadata names on the server are not declared and are kept (see settings.prune).",
        "1 capture on the server is not declared and is kept (see settings.prune).",
        "3 future_kind on the server are not declared and are kept (see settings.prune).",
    ]
