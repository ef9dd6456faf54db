"""Properties of the human and Markdown renderers beyond the goldens: colour, escaping,
truncation, version checks."""

from __future__ import annotations

import re

import pytest

from capdecl.errors import ConfigError
from capdecl.planner.model import Action
from capdecl.render import render_human, render_markdown
from capdecl.render.blocks import FATES
from capdecl.render.markdown import MARKER, MIN_LIMIT, md
from tests.render.cases import CASES

ANSI = re.compile("\x1b\\[[0-9;]*m")
NOTE = re.compile(
    r"> \*\*Note:\*\* this plan is truncated .*: (the details of )?(\d+) of (\d+) changes"
)


def test_every_action_has_words() -> None:
    assert set(FATES) == set(Action)


@pytest.mark.parametrize("name", sorted(CASES))
def test_colour_is_only_decoration(name: str) -> None:
    """No escape sequence without colour (even from hostile names); with colour, removing
    the escapes gives the plain output back."""
    plan = CASES[name].build().to_dict()
    plain = render_human(plan)
    assert "\x1b" not in plain
    coloured = render_human(plan, color=True)
    assert ANSI.sub("", coloured) == plain


def test_unsupported_format_version_is_refused() -> None:
    plan = CASES["capture_create"].build().to_dict()
    plan["format_version"] = "2.0"
    with pytest.raises(ConfigError, match=r"format_version '2\.0'"):
        render_human(plan)
    with pytest.raises(ConfigError, match=r"reads 1\.x"):
        render_markdown(plan)
    plan["format_version"] = "1.7"  # additive minor versions are fine
    assert render_human(plan).startswith("capdecl will perform")


@pytest.mark.parametrize("limit", [MIN_LIMIT, 2_500, 6_000, 20_000, 40_000, 65_000, 400_000])
def test_markdown_truncation_stays_under_the_limit(limit: int) -> None:
    plan = CASES["large"].build().to_dict()
    text = render_markdown(plan, limit=limit)
    assert len(text) <= limit
    assert text.startswith(MARKER + "\n")
    rows = len(re.findall(r"^\| `[-+~/]+` \| capture \|", text, re.M))
    details = text.count("<details>")
    note = NOTE.search(text)
    if note is None:  # everything fits
        assert (rows, details) == (603, 603)
    elif note.group(1):  # only details dropped
        assert (rows, int(note.group(2)), int(note.group(3))) == (603, 603 - details, 603)
    else:  # rows dropped too, and every detail with them
        assert (details, int(note.group(2)), int(note.group(3))) == (0, 603 - rows, 603)


def test_markdown_limit_too_small() -> None:
    with pytest.raises(ValueError, match="at least"):
        render_markdown(CASES["empty"].build().to_dict(), limit=MIN_LIMIT - 1)


def test_markdown_escaping_keeps_the_table_whole() -> None:
    text = render_markdown(CASES["escaping"].build().to_dict())
    rows = [line for line in text.splitlines() if line.startswith("| `+` | capture |")]
    assert len(rows) == 9
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row  # only the cell separators
    outside_code = re.sub(r"(`{3,})diff\n.*?\n\1\n", "", text, flags=re.S)
    assert not re.search(r"(?<![\\])<(img|script)", outside_code)
    assert not re.search(r"(?<!\\)@", outside_code.replace("&#64;", ""))


def test_markdown_fence_outgrows_backticks_in_values() -> None:
    text = render_markdown(CASES["escaping"].build().to_dict())
    assert "````diff\n" in text  # the block holding ``` uses a four-backtick fence
    for fence, body in re.findall(r"^(`{3,})diff\n(.*?)\n\1$", text, flags=re.S | re.M):
        assert "\n" + fence not in body


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("1. x", "1\\. x"),
        ("- x", "\\- x"),
        ("2.5 MiB", "2.5 MiB"),
        ("<b>&@x_y*", "\\<b\\>\\&\\@x\\_y\\*"),
        ("`", "\\`"),
    ],
)
def test_md_escape(text: str, escaped: str) -> None:
    assert md(text) == escaped
