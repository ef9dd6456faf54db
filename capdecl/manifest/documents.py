"""Reading a manifest directory: find the manifest files, parse and validate each one,
and merge their declarations into one :class:`Declarations`.

Merge rules: ``project``, ``server`` and ``settings`` may be declared in one place only;
``metadata`` and ``configurations`` maps merge, and a name declared twice is an error
naming both places; ``captures`` lists concatenate in file-name order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from capdecl.manifest.diagnose import CheckedFile, check_document
from capdecl.manifest.findings import Findings, format_path, quote
from capdecl.manifest.model import (
    CaptureModel,
    ConfigurationModel,
    MetadataFieldModel,
    SettingsModel,
)
from capdecl.manifest.paths import PathProblem, Root, check_file, read_small
from capdecl.manifest.yamlload import Node, load_yaml
from capdecl.state import SourceRef

T = TypeVar("T")
MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Located(Generic[T]):
    """A declaration with where it was written: manifest file, node, document path."""

    value: T
    file: str
    node: Node
    path: tuple[str | int, ...]

    def ref(self, *sub: str | int, key: bool = False) -> SourceRef:
        """Position of ``sub`` inside this declaration (or of the nearest part found)."""
        node, found = self.node.find(sub)
        return node.ref(self.file, key=key and (found or not sub))

    def field(self, *sub: str | int) -> str:
        return format_path((*self.path, *sub))

    def place(self) -> str:
        ref = self.ref(key=True)
        return f"{ref.file}:{ref.line}:{ref.column}"


@dataclass
class Declarations:
    """Everything the manifest files declare, merged, before cross-checks.

    ``incomplete`` is set when a file could not be read at all: declarations may be
    missing, so "unknown name" problems are not reported. ``dropped`` holds the top-level
    keys and ``dropped_*`` the names whose declaration was invalid (reported already);
    references to them are not reported again.
    """

    files: list[str] = field(default_factory=list)
    project: Located[str] | None = None
    server: Located[str] | None = None
    settings: Located[SettingsModel] | None = None
    metadata: dict[str, Located[MetadataFieldModel | None]] = field(default_factory=dict)
    configurations: dict[str, Located[ConfigurationModel]] = field(default_factory=dict)
    captures: list[Located[CaptureModel]] = field(default_factory=list)
    incomplete: bool = False
    dropped: set[str] = field(default_factory=set)
    dropped_metadata: set[str] = field(default_factory=set)
    dropped_configurations: set[str] = field(default_factory=set)

    def may_declare_metadata(self, name: str) -> bool:
        """True when an unknown metadata name may be declared in an unreadable part."""
        return self.incomplete or "metadata" in self.dropped or name in self.dropped_metadata

    def may_declare_configuration(self, name: str) -> bool:
        """True when an unknown configuration may be declared in an unreadable part."""
        return (
            self.incomplete
            or "configurations" in self.dropped
            or name in self.dropped_configurations
        )


def manifest_files(root: Root, findings: Findings) -> list[str]:
    """The manifest files of the directory, sorted by name (dotfiles are ignored).

    Every ``*.yaml`` / ``*.yml`` entry counts, whatever it is: one that is not a regular
    file (a directory, FIFO, device, dangling or escaping link) is reported when read,
    rather than silently left out of the project."""
    try:
        with os.scandir(root.path) as entries:
            names = sorted(
                e.name
                for e in entries
                if e.name.endswith(MANIFEST_SUFFIXES) and not e.name.startswith(".")
            )
    except OSError as error:
        findings.error(SourceRef(".", 0, 0), "", f"cannot read the directory: {error.strerror}")
        return []
    if not names:
        findings.error(
            SourceRef(".", 0, 0), "", "no manifest files (*.yaml, *.yml) in this directory"
        )
    return names


def read_declarations(root: Root, files: list[str], findings: Findings) -> Declarations:
    """Parse, validate and merge every manifest file."""
    decls = Declarations(files=list(files))
    for name in files:
        document = _read(root, name, findings)
        if document is None:
            decls.incomplete = True
            continue
        data, node = document
        checked = check_document(data, node, name, findings)
        _merge(decls, checked, node, name, findings)
    return decls


def _read(root: Root, name: str, findings: Findings) -> tuple[Any, Node] | None:
    try:
        check_file(root, name)
        raw = read_small(root, name)
    except PathProblem as problem:
        findings.error(SourceRef(name, 1, 1), "", str(problem))
        return None
    document = load_yaml(raw, name, findings)
    return None if document is None else (document.data, document.root)


def _merge(
    decls: Declarations, checked: CheckedFile, root: Node, file: str, findings: Findings
) -> None:
    model = checked.model
    for key in ("project", "server", "settings"):
        value = getattr(model, key)
        if value is not None:
            _single(decls, key, Located(value, file, root.find((key,))[0], (key,)), findings)
    for key, target in (("metadata", decls.metadata), ("configurations", decls.configurations)):
        entries: dict[str, Any] = getattr(model, key) or {}
        for name, value in entries.items():
            located = Located(value, file, root.find((key, name))[0], (key, name))
            first = target.get(name)
            if first is not None:
                findings.error(
                    located.ref(key=True),
                    located.field(),
                    f"{quote(name)} is declared twice (first at {first.place()})",
                )
            else:
                target[name] = located
    for position, capture in zip(checked.capture_index, model.captures or (), strict=True):
        path = ("captures", position)
        decls.captures.append(Located(capture, file, root.find(path)[0], path))
    for section, dropped in checked.dropped:
        if dropped == "":
            decls.dropped.add(section)
        elif section == "metadata":
            decls.dropped_metadata.add(str(dropped))
        elif section == "configurations":
            decls.dropped_configurations.add(str(dropped))


def _single(decls: Declarations, key: str, located: Located[Any], findings: Findings) -> None:
    first: Located[Any] | None = getattr(decls, key)
    if first is not None:
        findings.error(
            located.ref(key=True),
            key,
            f"`{key}` is declared twice (first at {first.place()}); declare it once",
        )
        return
    setattr(decls, key, located)
