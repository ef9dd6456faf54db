"""``--group-by-pattern``: infer path patterns from capture names and metadata.

For each capture whose file is named like the capture, the metadata values found in the
file's stem (as whole words: bounded by the start, the end or a non-alphanumeric
character, and found exactly once) are replaced by ``{Name}`` placeholders:
``S01_wave_1.csv`` with Subject=S01, Gesture=wave, Trial=1 gives
``data/{Subject}_{Gesture}_{Trial}.csv``. A template is kept only when the manifest
loader's own pattern matcher reads every placeholder back as the capture's value.

Captures sharing a template, configuration and sample rate (at least :data:`MIN_GROUP`)
become one group entry: metadata every member has goes to the group (its most common
value), what differs becomes per-file override entries, and other exported files the
pattern would also match are listed in ``exclude``. The result declares exactly the same
captures as the one-entry-per-file layout.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence

from capdecl.export.layout import Entry, FileEntry, GroupEntry, file_entry
from capdecl.export.model import ExportCapture, natural_key
from capdecl.manifest.templates import PathPattern, TemplateError, compile_pattern

MIN_GROUP = 3
MAX_EXCLUDES = 20
_GLOB_SPECIAL = frozenset("*?[")

GroupKey = tuple[str, str | None, int | None]


def grouped_layout(captures: Sequence[ExportCapture]) -> tuple[Entry, ...]:
    """Groups (sorted by pattern, each followed by its overrides), then single entries."""
    buckets: dict[GroupKey, list[ExportCapture]] = {}
    for capture in captures:
        template = infer_template(capture)
        if template is not None:
            key = (template, capture.configuration, capture.sample_rate)
            buckets.setdefault(key, []).append(capture)
    files = sorted(c.file for c in captures)
    groups: list[GroupEntry] = []
    grouped: set[str] = set()
    for key in sorted(buckets, key=lambda k: (k[0], k[1] or "", k[2] or 0)):
        members = buckets[key]
        group = _group(key, members, files) if len(members) >= MIN_GROUP else None
        if group is not None:
            groups.append(group)
            grouped.update(m.file for m in members)
    singles = [
        file_entry(c) for c in sorted(captures, key=lambda c: c.file) if c.file not in grouped
    ]
    return (*groups, *singles)


def infer_template(capture: ExportCapture) -> str | None:
    """The path pattern naming ``capture`` by its metadata, or None."""
    if capture.explicit_name or not capture.metadata:
        return None
    directory, _, base = capture.file.rpartition("/")
    stem, _, suffix = base.rpartition(".")
    spans = _spans(stem, capture.metadata)
    if not spans:
        return None
    pieces: list[str] = []
    position = 0
    for start, end, key in spans:
        pieces.append(_literal(stem[position:start]))
        pieces.append("{" + key + "}")
        position = end
    pieces.append(_literal(stem[position:]))
    template = f"{directory}/{''.join(pieces)}.{_literal(suffix)}"
    pattern = _compiled(template)
    if pattern is None:
        return None
    wanted = {key: capture.metadata[key] for _, _, key in spans}
    return template if pattern.match(capture.file) == wanted else None


def _spans(stem: str, metadata: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, key) of metadata values found once in ``stem``,
    longest values first."""
    taken: list[tuple[int, int, str]] = []
    for key, value in sorted(metadata.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if "{" in key or "}" in key or not value:
            continue
        hits = [
            start
            for start in _occurrences(stem, value)
            if _bounded(stem, start, start + len(value))
            and not any(start < e and s < start + len(value) for s, e, _ in taken)
        ]
        if len(hits) == 1:
            taken.append((hits[0], hits[0] + len(value), key))
    return sorted(taken)


def _occurrences(text: str, word: str) -> list[int]:
    found: list[int] = []
    start = text.find(word)
    while start >= 0:
        found.append(start)
        start = text.find(word, start + 1)
    return found


def _bounded(text: str, start: int, end: int) -> bool:
    before = start == 0 or not text[start - 1].isalnum()
    after = end == len(text) or not text[end].isalnum()
    return before and after


def _literal(text: str) -> str:
    """Literal text inside a pattern: braces doubled, glob wildcards bracketed."""
    out = []
    for char in text:
        if char in "{}":
            out.append(char * 2)
        elif char in _GLOB_SPECIAL:
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def escape_glob(path: str) -> str:
    """A glob matching exactly ``path`` (for ``exclude``)."""
    return "".join(f"[{c}]" if c in _GLOB_SPECIAL else c for c in path)


@functools.lru_cache(maxsize=4096)
def _compiled(template: str) -> PathPattern | None:
    try:
        return compile_pattern(template)
    except TemplateError:
        return None


def _group(key: GroupKey, members: list[ExportCapture], files: list[str]) -> GroupEntry | None:
    """The group entry for ``members``, or None when too many other files match it."""
    template, configuration, rate = key
    pattern = _compiled(template)
    if pattern is None:
        return None
    fields = set(pattern.template.fields)
    own = {m.file for m in members}
    foreign = [f for f in files if f not in own and pattern.regex.fullmatch(f)]
    if len(foreign) > max(MAX_EXCLUDES, len(members) // 10):
        return None
    shared = _shared_metadata(members, fields)
    overrides = []
    for member in sorted(members, key=lambda m: m.file):
        extra = {k: v for k, v in member.metadata.items() if k not in fields and shared.get(k) != v}
        if extra:
            overrides.append(FileEntry(file=member.file, metadata=extra))
    return GroupEntry(
        pattern=template,
        count=len(members),
        configuration=configuration,
        sample_rate=rate,
        metadata=shared,
        exclude=tuple(escape_glob(f) for f in foreign),
        overrides=tuple(overrides),
    )


def _shared_metadata(members: list[ExportCapture], fields: set[str]) -> dict[str, str]:
    """Metadata names every member has (and the pattern does not set) -> their most
    common value (ties: the first in natural order)."""
    keys = set.intersection(*(set(m.metadata) for m in members)) - fields
    shared: dict[str, str] = {}
    for key in sorted(keys):
        counts = Counter(m.metadata[key] for m in members)
        shared[key] = min(counts, key=lambda v: (-counts[v], natural_key(v)))
    return shared
