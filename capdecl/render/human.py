"""The human plan (``capdecl plan``), in Terraform's layout.

::

    capdecl will perform the following actions on project "gestures":

      # capture "S01_wave_1.csv" will be updated in place
      ~ capture "S01_wave_1.csv" {
          ~ sample_rate = 100 -> 200
            # (6 unchanged attributes hidden)
        }

    Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.

Symbols are right-aligned in three columns (``  +``, ``  ~``, ``-/+``, ``  -``) so the
object names line up; colours are ANSI escapes, only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from capdecl.planner.model import Action
from capdecl.render.blocks import Block, build_block
from capdecl.render.jsonplan import require_supported
from capdecl.render.lines import Line
from capdecl.render.summary import (
    summary_line,
    unmanaged_lines,
    unverified_headline,
    unverified_shown,
    warnings_of,
)
from capdecl.render.text import plural, quote, sanitize

BOLD, RED, GREEN, YELLOW, MAGENTA = "1", "31", "32", "33", "35"
ACTION_COLORS = {
    Action.CREATE: GREEN,
    Action.UPDATE: YELLOW,
    Action.REPLACE: MAGENTA,
    Action.DELETE: RED,
}
SIGN_COLORS = {"+": GREEN, "-": RED, "~": YELLOW}


class Paint:
    """Wraps text in ANSI colour codes, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        if not self.enabled or not text or not code:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def render_human(plan: Mapping[str, Any], *, color: bool = False) -> str:
    """The plan for a terminal: one block per change, notes, then the summary line."""
    require_supported(plan)
    return "\n".join(human_lines(plan, Paint(color))) + "\n"


def iter_human(plan: Mapping[str, Any], *, color: bool = False, batch: int = 4096) -> Iterator[str]:
    """:func:`render_human` in pieces of about ``batch`` lines, for printing a plan of
    100,000 changes without holding its text (or every block) in memory at once.
    The pieces joined are exactly :func:`render_human`'s text."""
    require_supported(plan)
    lines: list[str] = []
    for line in human_lines(plan, Paint(color)):
        lines.append(line)
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def human_lines(plan: Mapping[str, Any], paint: Paint) -> Iterator[str]:
    """The lines of the human plan, building one change's block at a time."""
    changes: Sequence[Mapping[str, Any]] = plan.get("changes") or ()
    if changes:
        project = quote(str(plan.get("project", "")))
        yield f"capdecl will perform the following actions on project {project}:"
        for change in changes:
            yield ""
            yield from render_block(build_block(change), paint)
    else:
        yield paint(summary_line(plan), BOLD)
    for section in plan_notes(plan, paint):
        yield ""
        yield from section
    if changes:
        yield ""
        yield paint(summary_line(plan), BOLD)


def render_block(block: Block, paint: Paint) -> list[str]:
    """``# headline``, ``<symbol> kind "name" {``, the attribute lines, ``}``."""
    out = [paint(f"  # {block.headline}", BOLD)]
    if block.reason:
        out.append(f"  # ({block.reason})")
    symbol = paint(block.action.symbol.rjust(3), ACTION_COLORS[block.action])
    head = f"{symbol} {block.address}"
    body = [render_line(line, paint) for line in block.lines]
    if block.hidden:
        body.append(f"        # ({plural(block.hidden, 'unchanged attribute')} hidden)")
    if block.blast:
        body.append("        " + paint(f"# {block.blast}", RED if block.destroys else ""))
    body += [f"        # {note}" for note in block.notes]
    if not body:
        return [*out, head + " {}"]
    return [*out, head + " {", *body, "    }"]


def render_line(line: Line, paint: Paint) -> str:
    """One attribute line: signed lines start at column 6, plain ones at column 8."""
    indent = "    " * line.depth
    if not line.sign or line.closer:
        return f"        {indent}{line.value}"
    value = line.value if line.old is None else f"{line.old} -> {line.value}"
    note = ""
    if line.note:
        forced = line.note == "forces replacement"
        note = " " + paint(f"# {line.note}", RED if forced else "")
    sign = paint(line.sign, SIGN_COLORS[line.sign])
    return f"      {indent}{sign} {line.head}{value}{note}"


def plan_notes(plan: Mapping[str, Any], paint: Paint) -> list[list[str]]:
    """Unverified captures, unmanaged objects and warnings, one section each."""
    sections: list[list[str]] = []
    unverified = plan.get("unverified") or ()
    if unverified:
        headline = paint(f"! {unverified_headline(len(unverified))}", YELLOW)
        names, more = unverified_shown(plan)
        lines = [f"    {quote(name)}" for name in names]
        sections.append([headline, *lines, *([f"    … and {more} more"] if more else [])])
    unmanaged = unmanaged_lines(plan)
    if unmanaged:
        sections.append(unmanaged)
    for warning in warnings_of(plan):
        first, *rest = [sanitize(line) for line in str(warning).splitlines()] or [""]
        label = paint("Warning:", BOLD + ";" + YELLOW)
        sections.append([f"{label} {first}", *(f"  {line}" for line in rest)])
    return sections
