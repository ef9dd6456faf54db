"""Group templates: ``pattern`` (a path with ``{field}`` placeholders, matched against
each file) and ``name`` (the capture name built from the fields).

A field matches one or more characters other than ``/``; when fields are adjacent the
earlier ones match as little as possible (``{Gesture}_{trial}`` on ``wave_fast_2`` gives
``wave`` and ``fast_2``). A field used twice must match the same text both times.
Outside fields a pattern may use the glob wildcards ``*``, ``?``, ``[...]`` and ``**``.
``{{`` and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from capdecl.manifest.paths import segment_regex

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
BUILTIN_FIELDS = ("basename", "stem")


class TemplateError(ValueError):
    """The template text is malformed."""


@dataclass(frozen=True)
class Template:
    """Literal text and field names, in order (fields as ``(name,)`` tuples)."""

    parts: tuple[str | tuple[str], ...]

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p[0] for p in self.parts if isinstance(p, tuple)))

    def render(self, values: Mapping[str, str]) -> str:
        return "".join([values[text] if field else text for text, field in self._pieces])

    @cached_property
    def _pieces(self) -> tuple[tuple[str, bool], ...]:
        """The parts as (text, is a field name), resolved once for every file rendered."""
        return tuple((p[0], True) if isinstance(p, tuple) else (p, False) for p in self.parts)


def parse_template(text: str) -> Template:
    """Split a template into literal text and ``{field}`` references."""
    parts: list[str | tuple[str]] = []
    literal = ""
    position = 0
    for match in _TOKEN.finditer(text):
        literal += text[position : match.start()]
        position = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            literal += token[0]
        elif token in ("{", "}"):
            raise TemplateError(f'unbalanced "{token}" at character {match.start() + 1}')
        else:
            name = match.group(1)
            if not name.strip():
                raise TemplateError(f"empty field {{}} at character {match.start() + 1}")
            if literal:
                parts.append(literal)
                literal = ""
            parts.append((name,))
    literal += text[position:]
    if literal:
        parts.append(literal)
    return Template(tuple(parts))


@dataclass(frozen=True)
class PathPattern:
    """A compiled ``pattern``: its regex and which regex group holds which field."""

    template: Template
    regex: re.Pattern[str]
    groups: tuple[tuple[str, str], ...]  # (regex group, field name)

    def match(self, rel: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(rel)
        if found is None:
            return None
        if self.regex.groups == len(self.groups):  # groups g0, g1 ... in order: one call
            return dict(zip(self.names, found.groups(), strict=True))
        return {name: found.group(group) for group, name in self.groups}

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The field names in regex group order."""
        return tuple(name for _, name in self.groups)

    def as_glob(self) -> str:
        """The glob of the files this pattern can match (fields become ``*``)."""
        return "".join("*" if isinstance(p, tuple) else p for p in self.template.parts)


def compile_pattern(text: str) -> PathPattern:
    """Compile a path pattern; raise TemplateError when malformed."""
    template = parse_template(text)
    if not template.fields:
        raise TemplateError("the pattern has no {field}; use `glob` for plain wildcards")
    pieces: list[str] = []
    groups: dict[str, str] = {}
    for part in template.parts:
        if isinstance(part, tuple):
            name = part[0]
            if name in groups:
                pieces.append(f"(?P={groups[name]})")
            else:
                groups[name] = f"g{len(groups)}"
                pieces.append(f"(?P<{groups[name]}>[^/]+?)")
        else:
            pieces.append(_literal_regex(part))
    regex = re.compile("".join(pieces))
    return PathPattern(template, regex, tuple((g, n) for n, g in groups.items()))


def _literal_regex(text: str) -> str:
    """Regex for the literal part of a pattern, glob wildcards included."""
    out = []
    for i, chunk in enumerate(text.split("**/")):
        if i:
            out.append("(?:[^/]+/)*")
        out.append("/".join(segment_regex(s) for s in chunk.split("/")))
    return "".join(out)
