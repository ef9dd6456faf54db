"""Aligned plain-text tables: a header row, one row per item, columns separated by two
spaces, numbers right-aligned. Cells are sanitised (a server name cannot move the
cursor or recolour the terminal) and lines carry no trailing spaces."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from capdecl.render.text import sanitize

GAP = "  "


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two columns, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> str:
    """The table as text ending in a newline; ``right[i]`` right-aligns column ``i``."""
    cells = [[sanitize(c) for c in row] for row in [list(headers), *map(list, rows)]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if right[i] else cell + pad)
        lines.append(GAP.join(parts).rstrip())
    return "\n".join(lines) + "\n"
