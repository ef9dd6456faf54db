"""The live project as the manifests will describe it: an immutable, sorted value built
from one :class:`~capdecl.state.LiveState`, shared by ``export``, ``show`` and the tests.

Everything the writer needs is decided here (file names, the configuration each capture
links to by name, metadata as value strings), so rendering is a pure formatting step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from capdecl.export.filenames import capture_files, configuration_files
from capdecl.render.text import quote
from capdecl.state import LiveCapture, LiveMetadataField, LiveState

if TYPE_CHECKING:
    from capdecl.planner.index import LiveIndex

METADATA_TYPES = ("string", "integer", "float")
_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting ``S2`` before ``S10`` (digit runs compare as numbers)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part
    )


@dataclass(frozen=True)
class ExportField:
    """A metadata name of the vocabulary; ``note`` is written as a comment above it."""

    name: str
    type: str
    values: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class ExportConfiguration:
    name: str
    uuid: str
    file: str  # relative path of its JSON file, e.g. "configs/imu-100hz.json"
    body: Mapping[str, Any]


@dataclass(frozen=True)
class ExportCapture:
    name: str
    uuid: str
    file: str  # relative path, e.g. "data/S01_wave_1.csv"
    configuration: str | None
    sample_rate: int | None
    metadata: Mapping[str, str]
    size: int
    samples: int | None

    @property
    def explicit_name(self) -> bool:
        """True when the server name differs from the file's base name (``name:``)."""
        return self.file.rpartition("/")[2] != self.name


@dataclass(frozen=True)
class ProjectExport:
    """The project, sorted: fields by name, configurations by name, captures by file."""

    project: str
    server: str | None  # public URL (no credentials), None when not worth writing
    fields: tuple[ExportField, ...] = ()
    configurations: tuple[ExportConfiguration, ...] = ()
    captures: tuple[ExportCapture, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)


def build_export(live: LiveState, server: str | None = None) -> ProjectExport:
    """Describe ``live`` (an existing project) as manifests would declare it."""
    from capdecl.planner.index import LiveIndex

    if live.project is None:
        raise ValueError("build_export needs an existing project")
    warnings: list[str] = []
    index = LiveIndex.build(live)
    fields = tuple(_field(m, warnings) for m in sorted(live.metadata, key=lambda m: m.name))
    configurations = _configurations(live, warnings)
    files = capture_files(c.name for c in live.captures)
    captures = []
    for capture in live.captures:
        path, guessed = files[capture.name]
        if guessed:
            warnings.append(
                f"capture {quote(capture.name)} has no .csv/.wav suffix: its file is {path} "
                "(rename the file to .wav if it is a WAV recording)"
            )
        captures.append(_capture(capture, path, index, warnings))
    return ProjectExport(
        project=live.project.name,
        server=server,
        fields=fields,
        configurations=configurations,
        captures=tuple(sorted(captures, key=lambda c: c.file)),
        warnings=tuple(warnings),
    )


def _field(live: LiveMetadataField, warnings: list[str]) -> ExportField:
    from capdecl.manifest.rules import typed_value_problem

    values = tuple(sorted(live.values, key=natural_key))
    kind = live.type if live.type in METADATA_TYPES else "string"
    note = None
    if kind != live.type:
        note = f"the server says type {live.type!r}, which capdecl does not know"
    bad = [v for v in values if typed_value_problem(v, kind)]
    if bad:
        shown = ", ".join(bad[:5]) + (", ..." if len(bad) > 5 else "")
        note = f"the server says type {kind}, but these values are not: {shown}"
        kind = "string"
    if note:
        warnings.append(f"metadata {quote(live.name)}: {note}; exported as type string")
    return ExportField(live.name, kind, values, note)


def _configurations(live: LiveState, warnings: list[str]) -> tuple[ExportConfiguration, ...]:
    from capdecl.planner.normalize import plain_json

    files = configuration_files(c.name for c in live.configurations)
    result = []
    for config in sorted(live.configurations, key=lambda c: c.name):
        body = config.configuration
        if not isinstance(body, Mapping):
            warnings.append(
                f"configuration {quote(config.name)} has no JSON object on the server; "
                "exported as {}"
            )
            body = {}
        result.append(
            ExportConfiguration(
                config.name, config.uuid.lower(), files[config.name], plain_json(body)
            )
        )
    return tuple(result)


def _capture(
    capture: LiveCapture, path: str, index: LiveIndex, warnings: list[str]
) -> ExportCapture:
    configuration = index.configuration_name(capture.configuration_uuid)
    if capture.configuration_uuid and configuration is None:
        warnings.append(
            f"capture {quote(capture.name)} links configuration uuid "
            f"{capture.configuration_uuid}, "
            "which the project does not have; the link is left out"
        )
    rate = capture.set_sample_rate
    metadata = index.capture_metadata.get(capture.uuid, {})
    return ExportCapture(
        name=capture.name,
        uuid=capture.uuid,
        file=path,
        configuration=configuration,
        sample_rate=rate if rate is not None and rate > 0 else None,
        metadata=dict(sorted(metadata.items())),
        size=capture.file_size,
        samples=capture.number_samples,
    )
