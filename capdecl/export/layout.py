"""How the ``captures`` list is written: one entry per file, or groups with a path
pattern (``--group-by-pattern``) plus per-file overrides.

A layout is data; :mod:`capdecl.export.writer` renders it and
:mod:`capdecl.export.patterns` builds the grouped one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from capdecl.export.model import ExportCapture


@dataclass(frozen=True)
class FileEntry:
    """``- file: ...``: one capture, or an override of what a group gave that file."""

    file: str
    name: str | None = None
    configuration: str | None = None
    sample_rate: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupEntry:
    """``- pattern: ...``: captures sharing a name template, configuration and rate."""

    pattern: str
    count: int
    configuration: str | None = None
    sample_rate: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    overrides: tuple[FileEntry, ...] = ()


Entry = FileEntry | GroupEntry


def file_entry(capture: ExportCapture) -> FileEntry:
    """The single-file entry declaring ``capture`` completely."""
    return FileEntry(
        file=capture.file,
        name=capture.name if capture.explicit_name else None,
        configuration=capture.configuration,
        sample_rate=capture.sample_rate,
        metadata=capture.metadata,
    )


def single_layout(captures: Iterable[ExportCapture]) -> tuple[Entry, ...]:
    """One entry per capture, sorted by file."""
    return tuple(file_entry(c) for c in sorted(captures, key=lambda c: c.file))


def entry_count(layout: Sequence[Entry]) -> int:
    """How many entries the captures list has, overrides included."""
    return sum(1 + len(e.overrides) if isinstance(e, GroupEntry) else 1 for e in layout)
