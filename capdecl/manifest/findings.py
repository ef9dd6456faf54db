"""Collecting problems: every check reports here instead of raising, so that one run of
``capdecl validate`` shows everything at once.

A check that can fire once per file of a large glob passes a ``similar`` key: after
:data:`SIMILAR_LIMIT` problems with the same key the rest are counted and summarised in one
line, so a wrong pattern over 100,000 files gives a readable report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass

from capdecl.errors import Problem
from capdecl.state import SourceRef

SIMILAR_LIMIT = 5
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def quote(text: str) -> str:
    """A name or value as shown in messages: double-quoted, with every character that
    does not print (C0 and C1 controls, format characters such as bidi overrides, line
    and paragraph separators) escaped, so a hostile name cannot break or disguise a line."""
    body = json.dumps(text, ensure_ascii=False)
    if body.isprintable():
        return body
    return "".join(c if c.isprintable() else _escape(c) for c in body)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def brief(text: str, limit: int = 60) -> str:
    """Like :func:`quote`, shortened in the middle when long (for names in messages)."""
    if len(text) <= limit:
        return quote(text)
    half = (limit - 3) // 2
    return quote(f"{text[:half]}...{text[-half:]}")


def format_path(path: Iterable[str | int]) -> str:
    """``("captures", 3, "metadata", "Subject")`` -> ``captures[3].metadata.Subject``;
    keys that are not plain words are quoted: ``metadata["Sensor Position"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{quote(part)}]"
    return out


def suggest(word: str, options: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` for the closest option, or an empty string."""
    choices = sorted(set(options))
    folded = [c for c in choices if c.casefold() == word.casefold() and c != word]
    if folded:
        return f"; did you mean {quote(folded[0])}?"
    import difflib  # (imported here: only a problem being reported needs it)

    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {quote(match[0])}?" if match else ""


@dataclass
class _Similar:
    first: Problem
    count: int = 0


class Findings:
    """The problems found so far, errors and warnings, in the order they were found."""

    def __init__(self) -> None:
        self._problems: list[Problem] = []
        self._similar: dict[Hashable, _Similar] = {}
        self.error_count = 0  # including problems cut short as similar
        self.warning_count = 0

    def error(
        self, where: SourceRef, path: str, message: str, *, similar: Hashable | None = None
    ) -> None:
        self._add(Problem(where.file, where.line, where.column, path, message), similar)

    def warning(
        self, where: SourceRef, path: str, message: str, *, similar: Hashable | None = None
    ) -> None:
        problem = Problem(where.file, where.line, where.column, path, message, "warning")
        self._add(problem, similar)

    def _add(self, problem: Problem, similar: Hashable | None) -> None:
        if problem.severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if similar is not None:
            seen = self._similar.setdefault((problem.severity, similar), _Similar(problem))
            seen.count += 1
            if seen.count > SIMILAR_LIMIT:
                return
        self._problems.append(problem)

    def problems(self, first_files: Collection[str] = ()) -> tuple[Problem, ...]:
        """Every problem, sorted by file (``first_files`` first) and position, duplicates
        removed, with one summary line for each group of similar problems cut short."""
        result = list(self._problems)
        for seen in self._similar.values():
            hidden = seen.count - SIMILAR_LIMIT
            if hidden > 0:
                first = seen.first
                noun = "problem" if hidden == 1 else "problems"
                message = f"... and {hidden} more {noun} like the one above"
                result.append(
                    Problem(
                        first.file, first.line, first.column, first.path, message, first.severity
                    )
                )
        result.sort(key=lambda p: (p.file not in first_files, p.file, p.line, p.column))
        return tuple(dict.fromkeys(result))
