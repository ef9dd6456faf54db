"""The Markdown plan (``capdecl plan --format markdown``), for a pull-request comment.

Layout: a ``<!-- capdecl-plan -->`` marker (so a bot can find and update its sticky
comment), a heading, the summary line, an Action | Count table, one table row per change,
then each change's fields folded in ``<details>`` as a ``diff`` block, then unverified
captures, unmanaged objects and warnings.

GitHub rejects comments over 65,536 characters. When the plan would exceed ``limit``, detail
blocks are dropped from the end, then table rows, and a note says how much is missing.
Every name is escaped for the context it lands in (Markdown text, HTML, code fence), so a
capture called ``a|b`` or ``<img>`` or ``@team`` cannot break the table, inject HTML or
mention anyone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from capdecl.planner.model import Action
from capdecl.render.blocks import Block, build_blocks
from capdecl.render.jsonplan import require_supported
from capdecl.render.lines import Line
from capdecl.render.summary import (
    counts,
    summary_line,
    unmanaged_lines,
    unverified_headline,
    unverified_shown,
    warnings_of,
)
from capdecl.render.text import plural, quote, sanitize

MARKER = "<!-- capdecl-plan -->"
DEFAULT_LIMIT = 65_000
MIN_LIMIT = 1_000  # room for the heading, the summary line and the truncation note
_ACTION_LABELS = {
    Action.CREATE: "create",
    Action.UPDATE: "update in place",
    Action.REPLACE: "replace (destroy, then create)",
    Action.DELETE: "destroy",
}
_ESCAPED = re.compile(r"[\\`*_\[\]<>#|~&@]")
_LIST_MARKER = re.compile(r"^(?:([-+])|(\d{1,9})([.)]))(?=\s|$)")
_BACKTICKS = re.compile(r"`+")
_RUN_HINT = "Run `capdecl plan --format json` for the full plan."


def md(text: str) -> str:
    """Text made literal in Markdown (table cells, list items, headings)."""
    escaped = _ESCAPED.sub(lambda m: "\\" + m.group(), sanitize(text))
    # a leading "- ", "+ " or "1. " would start a list where the text begins a line
    return _LIST_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def html_text(text: str) -> str:
    """Text made literal inside an HTML block (``<summary>``)."""
    return html.escape(sanitize(text), quote=False).replace("@", "&#64;")


def render_markdown(plan: Mapping[str, Any], *, limit: int = DEFAULT_LIMIT) -> str:
    """The plan as a Markdown comment of at most ``limit`` characters."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit must be at least {MIN_LIMIT} characters, not {limit}")
    require_supported(plan)
    blocks = build_blocks(plan)
    rows = [_row(block) for block in blocks]
    details = [d for d in (_details(block) for block in blocks) if d]
    page = _Page(plan, rows, details)
    text = page.assemble(len(rows), len(details))
    if len(text) <= limit:
        return text
    kept = _fit(lambda k: page.assemble(len(rows), k), len(details) - 1, limit)
    if kept is not None:
        return page.assemble(len(rows), kept)
    shown = _fit(lambda r: page.assemble(r, 0), len(rows) - 1, limit)
    if shown is not None:
        return page.assemble(shown, 0)
    return _cut(page.assemble(0, 0, with_notes=False), limit)


def _fit(render: Any, most: int, limit: int) -> int | None:
    """The largest ``n`` in ``0..most`` whose rendering fits ``limit`` (None if none does)."""
    low, high, best = 0, most, None
    while low <= high:
        middle = (low + high) // 2
        if len(render(middle)) <= limit:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


def _cut(text: str, limit: int) -> str:
    """Last resort for absurdly small limits: a hard cut that still ends in a newline."""
    return text if len(text) <= limit else text[: max(limit - 2, 0)] + "…\n"


class _Page:
    """The comment's parts, assembled with some table rows or detail blocks left out."""

    def __init__(self, plan: Mapping[str, Any], rows: list[str], details: list[str]) -> None:
        self.plan, self.rows, self.details = plan, rows, details
        self.total = len(rows)
        self.notes = _notes(plan)

    def assemble(self, rows: int, details: int, *, with_notes: bool = True) -> str:
        parts = [f"{MARKER}\n### capdecl plan for project {md(quote(self._project))}"]
        parts.append(f"**{md(summary_line(self.plan))}**")
        note = self._truncation(rows, details)
        if note:
            parts.append(note)
        if self.total:
            parts.append(_count_table(self.plan))
        if rows:
            parts.append("\n".join(["| | Kind | Name | Detail |", "|:-:|---|---|---|"]))
            parts[-1] += "\n" + "\n".join(self.rows[:rows])
        parts += self.details[:details]
        if with_notes:
            parts += self.notes
        return "\n\n".join(parts) + "\n"

    @property
    def _project(self) -> str:
        return str(self.plan.get("project", ""))

    def _truncation(self, rows: int, details: int) -> str:
        if rows < self.total:
            missing = f"{self.total - rows} of {self.total} changes are not shown"
        elif details < len(self.details):
            hidden = len(self.details) - details
            missing = f"the details of {hidden} of {self.total} changes are not shown"
        else:
            return ""
        return (
            "> **Note:** this plan is truncated to fit a pull-request comment: "
            f"{missing}. {_RUN_HINT}"
        )


def _count_table(plan: Mapping[str, Any]) -> str:
    n = counts(plan)
    lines = ["| Action | Count |", "|---|--:|"]
    lines += [f"| `{a.symbol}` {_ACTION_LABELS[a]} | {n[a.value]} |" for a in Action]
    return "\n".join(lines)


def _row(block: Block) -> str:
    cells = (f"`{block.action.symbol}`", md(block.kind), md(block.name), md(block.detail))
    return "| " + " | ".join(cells) + " |"


def _details(block: Block) -> str:
    """The change's fields folded in ``<details>`` as a ``diff`` block ("" if it has none)."""
    body: list[str] = [f"  # ({block.reason})"] if block.reason else []
    for line in block.lines:
        body += diff_lines(line)
    if block.hidden:
        body.append(f"  # ({plural(block.hidden, 'unchanged attribute')} hidden)")
    body += [f"  # {note}" for note in (block.blast, *block.notes) if note]
    if not body:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall("\n".join(body))), default=0)
    fence = "`" * max(3, longest + 1)
    summary = f"<code>{html.escape(block.action.symbol)}</code> {html_text(block.headline)}"
    return "\n".join(
        [
            f"<details><summary>{summary}</summary>",
            "",
            f"{fence}diff",
            *body,
            fence,
            "",
            "</details>",
        ]
    )


def diff_lines(line: Line) -> list[str]:
    """A line as ``diff`` text: ``-``/``+`` in column 0 so GitHub colours it."""
    indent = "    " * line.depth
    note = f" # {line.note}" if line.note else ""
    if not line.sign:
        return [f"  {indent}{line.value}"]
    if line.closer:
        sign = line.sign if line.sign in "+-" else " "
        return [f"{sign} {indent}{line.value}"]
    if line.old is not None:
        return [f"- {indent}{line.head}{line.old}", f"+ {indent}{line.head}{line.value}{note}"]
    sign = line.sign if line.sign in "+-" else " "
    return [f"{sign} {indent}{line.head}{line.value}{note}"]


def _notes(plan: Mapping[str, Any]) -> list[str]:
    """Unverified captures, unmanaged objects and warnings as Markdown sections."""
    sections: list[str] = []
    names, more = unverified_shown(plan)
    if names:
        total = len(names) + more
        items = [f"- {md(name)}" for name in names] + ([f"- … and {more} more"] if more else [])
        sections.append(f"**{md('! ' + unverified_headline(total))}**\n\n" + "\n".join(items))
    unmanaged = unmanaged_lines(plan)
    if unmanaged:
        sections.append("\n".join(f"- {md(line)}" for line in unmanaged))
    sections += [_warning(str(w)) for w in warnings_of(plan)]
    return sections


def _warning(text: str) -> str:
    lines: Sequence[str] = text.splitlines() or [""]
    return "\n".join(["> [!WARNING]", *(f"> {md(line)}" for line in lines)])
