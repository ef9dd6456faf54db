"""Offline units of the export package: YAML scalars, the download progress line and
--where parsing."""

from __future__ import annotations

import io

import pytest
import yaml

from capdecl.errors import ConfigError
from capdecl.export.download import Progress
from capdecl.export.queries import Condition, parse_where
from capdecl.export.yamltext import flow_list, flow_map, scalar, value

AWKWARD = [
    "plain",
    "two words",
    "yes",
    "No",
    "~",
    "null",
    "12",
    "1.5",
    "0x1F",
    "1:30",
    "2024-01-01",
    "a: b",
    "a:b",
    "- x",
    "x #y",
    "#x",
    "{a}",
    "[a]",
    "a, b",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "'single'",
    '"double"',
    "back\\slash",
    "trailing ",
    " leading",
    "café ☕",
    "zero\u200bwidth",
    "line\nbreak",
    "bell\x07",
    "",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_scalars_read_back_as_the_same_text(text: str) -> None:
    assert yaml.safe_load(f"k: {scalar(text)}") == {"k": text}
    assert yaml.safe_load(flow_map({text: "x"})) == {text: "x"}
    assert yaml.safe_load(flow_list([text])) == [text]


def test_plain_where_it_reads_well() -> None:
    assert [scalar(t) for t in ("S01", "data/S01_wave_1.csv", "yes", "1")] == [
        "S01",
        "data/S01_wave_1.csv",
        '"yes"',
        '"1"',
    ]
    assert [value(t) for t in ("1", "01", "-2", "1.50", "1e3")] == ["1", "01", "-2", "1.50", "1e3"]
    assert scalar("zero\u200bwidth") == '"zero\\u200bwidth"'
    assert yaml.safe_load("k: 1e3") == {"k": "1e3"}  # PyYAML's floats need a dot


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_one_line_rewritten_at_most_every_200_ms() -> None:
    stream, now = Terminal(), [0.0]
    progress = Progress(3, stream, clock=lambda: now[0])
    for step in (0.25, 0.30, 0.31):  # the second comes too soon; the last is always shown
        now[0] = step
        progress.advance(1024)
    progress.finish()
    assert stream.getvalue() == (
        "\rDownloading: 1/3 files, 1.0 KiB\rDownloading: 3/3 files, 3.0 KiB\n"
    )


def test_progress_in_a_log_is_a_line_per_tenth() -> None:
    stream = io.StringIO()
    progress = Progress(20, stream)
    for _ in range(20):
        progress.advance(10)
    assert stream.getvalue().splitlines()[:2] == [
        "Downloading: 2/20 files, 20 B",
        "Downloading: 4/20 files, 40 B",
    ]
    assert len(stream.getvalue().splitlines()) == 10


def test_where_conditions() -> None:
    assert parse_where(["Subject=S01", "Split != test ", "Note="]) == [
        Condition("Subject", "S01"),
        Condition("Split", "test", negate=True),
        Condition("Note", ""),
    ]
    assert Condition("Note", "").holds({}) and not Condition("Note", "", True).holds({})
    for bad in ("Subject", "=x", "!=x", " = x"):
        with pytest.raises(ConfigError, match="expected KEY=VALUE or KEY!=VALUE"):
            parse_where([bad])
